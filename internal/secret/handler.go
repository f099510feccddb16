package secret

import (
	"context"
	"fmt"
	"log/slog"
)

// RedactingHandler returns a handler that passes every record on to h with
// Redact applied to its message and to every attribute value that renders
// as text: strings, errors, fmt.Stringers, groups, and attributes added by
// WithAttrs. Other values are kept unless their printed form holds a
// secret, in which case the redacted printed form replaces them.
func RedactingHandler(h slog.Handler) slog.Handler {
	if r, ok := h.(redactingHandler); ok {
		return r
	}
	return redactingHandler{next: h}
}

type redactingHandler struct {
	next slog.Handler
}

func (h redactingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, redactAttr(a))
		return true
	})
	out.AddAttrs(attrs...)
	return h.next.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return redactingHandler{next: h.next.WithAttrs(red)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{next: h.next.WithGroup(name)}
}

// redactAttr redacts one attribute, resolving a LogValuer first so that
// what it logs is looked at too.
func redactAttr(a slog.Attr) slog.Attr {
	a.Key = Redact(a.Key)
	a.Value = redactValue(a.Value.Resolve())
	return a
}

func redactValue(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(Redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		red := make([]slog.Attr, len(group))
		for i, a := range group {
			red[i] = redactAttr(a)
		}
		return slog.GroupValue(red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.StringValue(Redact(printed(x.Error)))
		case fmt.Stringer:
			return slog.StringValue(Redact(printed(x.String)))
		case []byte:
			return slog.StringValue(Redact(string(x)))
		default:
			// Maps, structs and slices print through fmt in the text and
			// JSON handlers alike; keep them as they are unless that
			// printed form holds a secret.
			s := fmt.Sprintf("%+v", x)
			if r := Redact(s); r != s {
				return slog.StringValue(r)
			}
		}
	}
	return v
}

// printed calls an Error or String method, which may panic on a nil
// receiver; a log line must not bring the process down.
func printed(f func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC: %v", r)
		}
	}()
	return f()
}
