// Package machine describes where a benchmark ran: the CPUs, the Go
// version, the commit and the load average, printed with its figures.
package machine

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

// Machine describes where and what ran.
type Machine struct {
	Nproc     string // what nproc says
	CPU       string // the model name
	GoVersion string
	Source    string // the commit, and whether the tree had changes
	LoadStart string // the load averages when the run started
	LoadEnd   string // and when it ended (set by End)
}

// Describe reads the machine at the start of a run.
func Describe(ctx context.Context) Machine {
	m := Machine{Nproc: strconv.Itoa(runtime.NumCPU()), CPU: cpuModel(), Source: source(ctx), LoadStart: LoadAverage(),
		GoVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.CommandContext(ctx, "nproc").Output(); err == nil {
		m.Nproc = strings.TrimSpace(string(out))
	}
	return m
}

// End reads the load averages at the end of the run.
func (m *Machine) End() { m.LoadEnd = LoadAverage() }

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

// LoadAverage is the first three fields of /proc/loadavg, or "unknown".
func LoadAverage() string {
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
