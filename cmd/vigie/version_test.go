package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionPrintsTheBuild(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := vigie(t, "", "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "vigie ") {
			t.Fatalf("vigie %s: %+v", args[0], r)
		}
		for _, want := range []string{"commit: ", "built: ", "go: go"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("vigie %s: no %q in %q", args[0], want, r.stdout)
			}
		}
	}
}

func TestBuildInfoReadsTheVCSStamps(t *testing.T) {
	cases := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"stamped", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"vigie v1.2.3\ncommit: abc123 (modified)\nbuilt: 2026-12-01T10:00:00Z\ngo: go1.26.0\n"},
		{"unknown", debug.BuildInfo{GoVersion: "go1.26.0"},
			"vigie (devel)\ncommit: (devel)\nbuilt: (devel)\ngo: go1.26.0\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			buildInfoFrom(&c.info).write(&b)
			if b.String() != c.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), c.want)
			}
		})
	}
}
