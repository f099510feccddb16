package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/facts"
)

// AgentOptions configure a host agent.
type AgentOptions struct {
	Server, Token string
	// Asset is the inventory name of the host the agent runs on.
	Asset string
	// Root is where /sys and /proc are read (default "/"; tests use a tree).
	Root string
	// Every is how often facts are reported (default 60 s).
	Every  time.Duration
	Client *http.Client
	Logger *slog.Logger
}

// RunHostAgent reports the host's facts to the server every opts.Every
// until ctx ends; the server checks them against the compliance rules.
func RunHostAgent(ctx context.Context, opts AgentOptions) error {
	if opts.Server == "" || opts.Token == "" || opts.Asset == "" {
		return errors.New("host agent: server, token and asset are required")
	}
	opts = opts.withDefaults()
	for {
		if n, err := ReportFacts(ctx, opts); err != nil {
			opts.Logger.Warn("host agent: report", "err", err)
		} else {
			opts.Logger.Debug("host agent: reported", "violations", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(opts.Every):
		}
	}
}

// ReportFacts collects the facts once and sends them; it returns how many
// compliance violations the server found.
func ReportFacts(ctx context.Context, opts AgentOptions) (int, error) {
	opts = opts.withDefaults()
	f, err := facts.Collect(opts.Root)
	if err != nil {
		return 0, err
	}
	body, err := json.Marshal(map[string]any{"asset": opts.Asset, "facts": f})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(opts.Server, "/")+"/api/v1/probe/facts", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+opts.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := opts.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("facts: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	var out struct {
		Violations []facts.Violation `json:"violations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("facts: %w", err)
	}
	return len(out.Violations), nil
}

func (opts AgentOptions) withDefaults() AgentOptions {
	if opts.Root == "" {
		opts.Root = "/"
	}
	if opts.Every <= 0 {
		opts.Every = time.Minute
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}
