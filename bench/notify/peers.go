package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/notify/notifytest"
)

// The relay's account: a benchmark's, on loopback.
const (
	smtpUser     = "vigie"
	smtpPassword = "bench-relay-password"
)

// peerInfo is what the peers child says first: where its servers listen.
type peerInfo struct {
	SMTPHost string `json:"smtp_host"`
	SMTPPort int    `json:"smtp_port"`
	CertPEM  string `json:"cert_pem"`
	HTTPAddr string `json:"http_addr"`
}

// runPeers serves the SMTP server and the watched sites, says where on
// its first line of stdout, then one line per mail accepted ("mail
// UNIXNANO RECIPIENT BYTES"), until stdin is closed. It keeps no mail.
func runPeers(ctx context.Context) error {
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	s, stop, err := notifytest.NewSMTP(notifytest.SMTPOptions{Username: smtpUser, Password: smtpPassword,
		OnMail: func(m notifytest.Mail) {
			at := time.Now().UnixNano()
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(out, "mail %d %s %d\n", at, strings.Join(m.To, ","), len(m.Data))
			_ = out.Flush()
		}})
	if err != nil {
		return err
	}
	defer stop()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "<html><body>ok</body></html>")
	})}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	info, err := json.Marshal(peerInfo{SMTPHost: s.Host, SMTPPort: s.Port, CertPEM: string(s.CertPEM), HTTPAddr: ln.Addr().String()})
	if err != nil {
		return err
	}
	mu.Lock()
	fmt.Fprintf(out, "%s\n", info)
	_ = out.Flush()
	mu.Unlock()
	_, _ = io.Copy(io.Discard, os.Stdin)
	return ctx.Err()
}

// peers is the running peers child, as this process sees it.
type peers struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	info  peerInfo
	roots *x509.CertPool

	mu    sync.Mutex
	mails []seenMail
	moved chan struct{} // told of each mail
	err   error         // the reader's end
}

// seenMail is one mail the SMTP server accepted.
type seenMail struct {
	at    time.Time
	to    string
	bytes int
}

// startPeers starts the peers child and waits until it serves.
func startPeers(ctx context.Context) (*peers, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-child", "peers")
	cmd.Stderr = os.Stderr
	p := &peers{cmd: cmd, moved: make(chan struct{}, 1)}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the peers: %w", err)
	}
	r := bufio.NewReader(stdout)
	ready := make(chan error, 1)
	go func() {
		line, err := r.ReadString('\n')
		if err == nil {
			err = json.Unmarshal([]byte(line), &p.info)
		}
		ready <- err
		if err == nil {
			p.read(r)
		}
	}()
	select {
	case err = <-ready:
	case <-time.After(30 * time.Second):
		err = errors.New("not ready after 30s")
	}
	if err != nil {
		_ = p.stop()
		return nil, fmt.Errorf("peers: %w", err)
	}
	p.roots = x509.NewCertPool()
	if !p.roots.AppendCertsFromPEM([]byte(p.info.CertPEM)) {
		_ = p.stop()
		return nil, errors.New("peers: bad certificate")
	}
	return p, nil
}

// read takes the mail lines until the child ends.
func (p *peers) read(r *bufio.Reader) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
			return
		}
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "mail" {
			continue
		}
		ns, _ := strconv.ParseInt(f[1], 10, 64)
		n, _ := strconv.Atoi(f[3])
		p.mu.Lock()
		p.mails = append(p.mails, seenMail{at: time.Unix(0, ns), to: f[2], bytes: n})
		p.mu.Unlock()
		select {
		case p.moved <- struct{}{}:
		default:
		}
	}
}

// take returns the mails seen so far and forgets them.
func (p *peers) take() []seenMail {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.mails
	p.mails = nil
	return m
}

// count returns how many mails were seen since the last take, and when
// the first of them was accepted.
func (p *peers) count() (int, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.mails) == 0 {
		return 0, time.Time{}
	}
	return len(p.mails), p.mails[0].at
}

// wait waits until n mails were seen since the last take, giving up when
// none came for stall.
func (p *peers) wait(ctx context.Context, n int, stall time.Duration) error {
	last, seen := time.Now(), 0
	for {
		got, _ := p.count()
		if got >= n {
			return nil
		}
		if got != seen {
			last, seen = time.Now(), got
		}
		if time.Since(last) > stall {
			return fmt.Errorf("%d of %d mails after %s without a new one", got, n, stall)
		}
		p.mu.Lock()
		err := p.err
		p.mu.Unlock()
		if err != nil {
			return fmt.Errorf("peers ended: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.moved:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// cpu is the CPU time the child has used so far, in seconds, or -1.
func (p *peers) cpu() float64 { return usage.Process(p.cmd.Process.Pid) }

// stop closes the child's stdin, which ends it, and waits for it.
func (p *peers) stop() error {
	_ = p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		return <-done
	}
}
