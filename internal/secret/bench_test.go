package secret

import (
	"errors"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkLogLine measures one request log line (the server's most
// frequent) written through RedactingHandler, against the bare text
// handler in the same run.
func BenchmarkLogLine(b *testing.B) {
	err := errors.New(`malformed JSON at byte 12: invalid character 'x'`)
	for _, tc := range []struct {
		name string
		h    slog.Handler
	}{
		{"baseline-text-handler", slog.NewTextHandler(io.Discard, nil)},
		{"redacting", RedactingHandler(slog.NewTextHandler(io.Discard, nil))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			log := slog.New(tc.h)
			b.ReportAllocs()
			for b.Loop() {
				log.Info("request failed", "method", "POST", "route", "POST /api/v1/heartbeats/{token}", "status", 400, "err", err)
			}
		})
	}
}
