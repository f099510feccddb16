package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// Executor judges heartbeat checks from their last ping, so that the
// scheduler and detector treat them like any other kind: register it in
// check.Options.Executors under check.Heartbeat. A check is OK while its
// last ping came within Period + Grace (Grace defaults to
// check.DefaultHeartbeatGrace) and reported ok; it fails with ReasonMissed
// when the ping is late, counting from the token's creation when none came,
// and with ReasonFailed and the job's message when the last ping reported
// failure. Lateness is judged first, being the more recent news.
func Executor(s *Store, now func() time.Time) check.Executor {
	if now == nil {
		now = time.Now
	}
	return func(ctx context.Context, c *check.Check) check.Result {
		res := judge(ctx, s, now().UTC(), c)
		res.Started = now()
		return res
	}
}

// judge returns the result of heartbeat check c at now.
func judge(ctx context.Context, s *Store, now time.Time, c *check.Check) check.Result {
	if c.Kind != check.Heartbeat {
		return configResult(fmt.Sprintf("the heartbeat executor cannot judge a %q check", c.Kind))
	}
	period, grace := time.Duration(c.Period()), time.Duration(c.Grace())
	if period <= 0 {
		return configResult("the heartbeat check has no period")
	}
	if grace <= 0 {
		grace = check.DefaultHeartbeatGrace
	}
	b, err := s.beat(ctx, c.Key())
	if errors.Is(err, store.ErrNotFound) {
		return configResult("no token was issued for this heartbeat check")
	}
	if err != nil {
		return configResult("cannot read the last heartbeat: " + err.Error())
	}
	window := fmt.Sprintf("(period %s, grace %s)", shortDuration(period), shortDuration(grace))
	if b.At.IsZero() {
		if now.After(b.Created.Add(period + grace)) {
			return failed(check.ReasonMissed, fmt.Sprintf("never received a heartbeat since the token was created at %s %s",
				b.Created.Format(time.RFC3339), window))
		}
		return check.Result{OK: true, Phase: check.PhaseDone, Message: "waiting for the first heartbeat"}
	}
	if now.After(b.At.Add(period + grace)) {
		return failed(check.ReasonMissed, fmt.Sprintf("no heartbeat since %s %s", b.At.Format(time.RFC3339), window))
	}
	if b.Ping.Status == StatusFail {
		msg := b.Ping.Message
		if msg == "" {
			msg = "the job reported failure at " + b.At.Format(time.RFC3339)
		}
		return failed(check.ReasonFailed, msg)
	}
	return check.Result{OK: true, Phase: check.PhaseDone, Message: "last heartbeat at " + b.At.Format(time.RFC3339)}
}

// failed is a failed result of a heartbeat check.
func failed(reason check.Reason, msg string) check.Result {
	return check.Result{Phase: check.PhaseDone, Reason: reason, Message: msg}
}

// configResult is the result of a check that cannot be judged as written.
func configResult(msg string) check.Result {
	return check.Result{Reason: check.ReasonConfig, Message: msg}
}

// shortDuration writes 1h rather than Go's 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
