package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/facts"
)

// AgentFactsPath is where a host agent posts its facts, with its own token
// (vagt_..., from 'vigie agent add ASSET') as a bearer.
const AgentFactsPath = "/api/v1/agent/facts"

// AgentOptions configure a host agent.
type AgentOptions struct {
	// Token is the agent's token, which names the asset it reports for.
	Server, Token string
	// Asset is the inventory name of the host the agent runs on
	// (optional): the server refuses the facts if it is not the token's.
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
	if opts.Server == "" || opts.Token == "" {
		return errors.New("host agent: server and token are required")
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
		return 0, fmt.Errorf("collect facts: %w", err)
	}
	body, err := json.Marshal(AgentFacts{Asset: opts.Asset, Facts: f})
	if err != nil {
		return 0, fmt.Errorf("facts: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(opts.Server, "/")+AgentFactsPath, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("facts: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+opts.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := opts.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("facts: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, answerError("facts", resp)
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
