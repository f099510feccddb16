package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildInfo is what the binary knows of its own build.
type buildInfo struct {
	Version, Commit, Date, GoVersion string
	Modified                         bool
}

// unknownBuild is shown for what the build did not record.
const unknownBuild = "(devel)"

// readBuildInfo reads the module version and the VCS stamps that the Go
// toolchain records in the binary; what it did not record is "(devel)".
func readBuildInfo() buildInfo {
	b := buildInfo{Version: unknownBuild, Commit: unknownBuild, Date: unknownBuild, GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	return buildInfoFrom(info)
}

// buildInfoFrom extracts a buildInfo from the toolchain's record.
func buildInfoFrom(info *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: unknownBuild, Commit: unknownBuild, Date: unknownBuild, GoVersion: info.GoVersion}
	if v := info.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && s.Value != "":
			b.Commit = s.Value
		case s.Key == "vcs.time" && s.Value != "":
			b.Date = s.Value
		case s.Key == "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.GoVersion == "" {
		b.GoVersion = runtime.Version()
	}
	return b
}

// write prints the build, one fact a line.
func (b buildInfo) write(w io.Writer) {
	commit := b.Commit
	if b.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(w, "vigie %s\ncommit: %s\nbuilt: %s\ngo: %s\n", b.Version, commit, b.Date, b.GoVersion)
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", "Print the version, commit, build date and Go version of this binary")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	readBuildInfo().write(e.stdout)
	return nil
}

// short names the build in one phrase: the version, and the commit when
// the build recorded one.
func (b buildInfo) short() string {
	if b.Commit == unknownBuild {
		return b.Version
	}
	commit := b.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if b.Modified {
		commit += ", modified"
	}
	return b.Version + " (" + commit + ")"
}
