package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
)

// proc is one child process of the run: started bounded by the run's
// context, its output in a log file, stopped by its own pid.
type proc struct {
	name string
	kind string // server, probe or targets
	addr string // the listen address of a server
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *os.File

	// window figures, filled by the sampler
	cpu0, cpuLast float64
	rss, rssMax   int64 // KiB
	killed        bool
}

// start runs bin with args, its stdout and stderr in dir/name.log. The
// child dies with the harness (Pdeathsig) and is stopped with SIGTERM
// when ctx ends, SIGKILL 10 s later.
func start(ctx context.Context, dir, name, kind string, env []string, bin string, args ...string) (*proc, error) {
	f, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, kind: kind, cmd: cmd, done: make(chan struct{}), log: f, cpu0: -1}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// exitErr is why the process ended (call it once it has).
func (p *proc) exitErr() error {
	if p.err == nil {
		return errors.New("exit status 0")
	}
	return p.err
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig and waits up to wait for the process to end, then kills it.
func (p *proc) stop(sig syscall.Signal, wait time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// sample reads the process's CPU and RSS into the window figures.
func (p *proc) sample() {
	if p.exited() {
		return
	}
	if c := usage.Process(p.pid()); c >= 0 {
		if p.cpu0 < 0 {
			p.cpu0 = c
		}
		p.cpuLast = c
	}
	if r := rssKiB(p.pid()); r > 0 {
		p.rss = r
		p.rssMax = max(p.rssMax, r)
	}
}

// windowStart makes the next sample the start of the measurement window.
func (p *proc) windowStart() {
	p.cpu0 = -1
	p.rssMax = 0
	p.sample()
}

// windowCPU is the CPU seconds used between the window's start and the
// last sample.
func (p *proc) windowCPU() float64 {
	if p.cpu0 < 0 {
		return 0
	}
	return p.cpuLast - p.cpu0
}

// rssKiB is VmRSS of pid, or -1.
func rssKiB(pid int) int64 { return usage.Status(pid, "VmRSS") }

// loBytes is the bytes received on the loopback interface (every byte
// sent on lo is received once), from /proc/net/dev, or -1.
func loBytes() int64 {
	b, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		return -1
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		name, rest, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) != "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return -1
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}
