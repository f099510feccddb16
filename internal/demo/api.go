package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient is how the script's staff member acts: through the JSON API,
// as a person or a tool would, so that each action is checked, audited
// and published exactly as theirs would be.
type apiClient struct {
	base, token string
	client      *http.Client
}

// attempts is how many times a request is tried: on a loaded machine the
// server may answer 503, or a database write time out, now and then.
const attempts = 5

// do sends body as JSON and decodes the answer into out (when not nil),
// trying again a few times when the server cannot answer now.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var err error
	for i := range attempts {
		var retry bool
		if retry, err = c.once(ctx, method, path, body, out); !retry {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i+1) * time.Second):
		}
	}
	return err
}

// once makes one request; retry says whether another may succeed.
func (c *apiClient) once(ctx context.Context, method, path string, body, out any) (retry bool, err error) {
	b, err := json.Marshal(body)
	if err != nil {
		return false, fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return false, fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode >= 500, fmt.Errorf("demo: %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return false, fmt.Errorf("demo: %s %s: %w", method, path, err)
		}
	}
	return false, nil
}
