package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/simulate"
)

// runFarmChild serves the generated host of a.sites sites exactly where
// its inventory, generated with the same port, says: each machine on
// a.farmPort of its own 127.c.x.y address, each site at
// http://<its VM's address>/<site>/. It says "ready" on stdout and serves
// until stdin is closed.
func runFarmChild(ctx context.Context, a childArgs) error {
	inv := simulate.Generate(simulate.Params{Sites: a.sites, FarmPort: a.farmPort})
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{Exact: true})
	if err != nil {
		return fmt.Errorf("farm: %w", err)
	}
	if err := farm.Start(ctx); err != nil {
		return fmt.Errorf("farm start: %w", err)
	}
	defer func() { _ = farm.Close() }()
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// farmProcess is a running farm child.
type farmProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  int
	took  time.Duration // from start to ready
}

// startFarm starts a farm child for a host of sites sites on a free port
// and waits until it serves.
func startFarm(ctx context.Context, sites int) (*farmProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, self, "-child", "farm", "-sites", strconv.Itoa(sites), "-farm-port", strconv.Itoa(port))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start farm: %w", err)
	}
	f := &farmProcess{cmd: cmd, stdin: stdin, port: port}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("farm said %q", line)
		}
		ready <- err
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err = <-ready:
	case <-time.After(time.Minute):
		err = errors.New("farm not ready after a minute")
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		_ = f.stop()
		return nil, fmt.Errorf("farm: %w", err)
	}
	f.took = time.Since(start)
	return f, nil
}

// stop closes the farm's stdin, which ends it, and waits for it.
func (f *farmProcess) stop() error {
	_ = f.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- f.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = f.cmd.Process.Kill()
		return <-done
	}
}

// cpu is the CPU time the farm has used so far, in seconds, or -1.
func (f *farmProcess) cpu() float64 { return usage.Process(f.cmd.Process.Pid) }

// freePort returns a port that was free on 127.0.0.1 a moment ago; the
// farm binds it on each machine's own address.
func freePort() (int, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}
