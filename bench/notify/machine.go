package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// machine describes where and what ran.
type machine struct {
	nproc     string
	cpu       string
	goVersion string
	source    string
	loadStart string
	loadEnd   string
}

func describeMachine(ctx context.Context) machine {
	m := machine{nproc: strconv.Itoa(runtime.NumCPU()), cpu: cpuModel(), source: source(ctx), loadStart: loadAverage(),
		goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.CommandContext(ctx, "nproc").Output(); err == nil {
		m.nproc = strings.TrimSpace(string(out))
	}
	return m
}

// cpuModel is the first model name of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is the first three fields of /proc/loadavg, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// source names the commit: git's, saying when the tree has changes, else
// the build's.
func source(ctx context.Context) string {
	if out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		s := "commit " + strings.TrimSpace(string(out))
		if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain").Output(); err == nil && len(st) > 0 {
			s += " with uncommitted changes"
		}
		return s
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" {
				return "commit " + kv.Value
			}
		}
	}
	return "unknown"
}
