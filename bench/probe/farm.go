package main

import (
	"bufio"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/simulate"
)

// runFarmChild generates a host of n sites, serves it on loopback with the
// hypervisors of a.hang hanging, writes its sites and CA to the given
// files, says "ready" on stdout and serves until stdin is closed.
func runFarmChild(ctx context.Context, a childArgs) error {
	inv := simulate.Generate(simulate.Params{Sites: a.n})
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{})
	if err != nil {
		return fmt.Errorf("farm: %w", err)
	}
	if err := farm.Start(ctx); err != nil {
		return fmt.Errorf("farm start: %w", err)
	}
	defer func() { _ = farm.Close() }()
	if a.hang != "" {
		for hv := range strings.SplitSeq(a.hang, ",") {
			if err := farm.HangHypervisor(hv); err != nil {
				return fmt.Errorf("farm: %w", err)
			}
		}
	}
	if err := writeSites(farm, a.sitesFile); err != nil {
		return err
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: farm.CACertificate().Raw})
	if err := os.WriteFile(a.caFile, ca, 0o600); err != nil {
		return fmt.Errorf("farm CA: %w", err)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// writeSites writes one line per served site: host name, HTTP listener,
// HTTPS listener, separated by tabs.
func writeSites(farm *simulate.Farm, path string) error {
	sites, err := farm.Sites("")
	if err != nil {
		return fmt.Errorf("farm sites: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("farm sites: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, s := range sites {
		fmt.Fprintf(w, "%s\t%s\t%s\n", hostOf(s.URL), s.HTTP, s.HTTPS)
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("farm sites: %w", err)
	}
	return f.Close()
}

// hostOf returns the host name of a site URL such as
// "https://www.s0000001.example/".
func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// farmProcess is the running farm child, seen from the parent.
type farmProcess struct {
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	sitesFile string
	caFile    string
	started   time.Duration // from exec to ready
}

// errFarm reports a farm child that did not get ready.
var errFarm = errors.New("farm did not start")

// startFarm starts the farm child for n sites, files in dir, with the
// hypervisors of hang hanging, and waits until it serves.
func startFarm(ctx context.Context, exe, dir string, n int, hang []string) (*farmProcess, error) {
	fp := &farmProcess{sitesFile: filepath.Join(dir, "sites.tsv"), caFile: filepath.Join(dir, "ca.pem")}
	fp.cmd = exec.CommandContext(ctx, exe, "-child", "farm", "-n", strconv.Itoa(n),
		"-sites-file", fp.sitesFile, "-ca-file", fp.caFile, "-hang", strings.Join(hang, ","))
	fp.cmd.Stderr = os.Stderr
	var err error
	if fp.stdin, err = fp.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := fp.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	if err := fp.cmd.Start(); err != nil {
		return nil, fmt.Errorf("farm: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		fp.stop()
		return nil, fmt.Errorf("%w: %q %w", errFarm, line, err)
	}
	fp.started = time.Since(begin)
	return fp, nil
}

// cpuSeconds returns the CPU time the farm has used so far.
func (fp *farmProcess) cpuSeconds() float64 { return usage.Process(fp.cmd.Process.Pid) }

// stop closes the farm's stdin, which ends it, and waits for it.
func (fp *farmProcess) stop() {
	_ = fp.stdin.Close()
	_ = fp.cmd.Wait()
}
