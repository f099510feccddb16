package heartbeat

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestParsePingReadsValidBodies(t *testing.T) {
	size, dur := int64(2048), Duration(90*time.Second)
	tests := []struct {
		name string
		body string
		want Ping
	}{
		{"empty body is ok", "", Ping{Status: StatusOK}},
		{"blank body is ok", " \n", Ping{Status: StatusOK}},
		{"empty object is ok", "{}", Ping{Status: StatusOK}},
		{"fail", `{"status":"fail","message":"disk full"}`, Ping{Status: StatusFail, Message: "disk full"}},
		{"all fields, duration in seconds", `{"status":"ok","size":2048,"duration":90,"message":"done"}`,
			Ping{Status: StatusOK, Size: &size, Duration: &dur, Message: "done"}},
		{"duration as a string", `{"duration":"1m30s"}`, Ping{Status: StatusOK, Duration: &dur}},
		{"multi-line message", `{"message":"a\nb\tc"}`, Ping{Status: StatusOK, Message: "a\nb\tc"}},
		{"restore point", `{"status":"ok","restore_point":"vzdump-qemu-101-2026_11_26-02_00_05.vma.zst"}`,
			Ping{Status: StatusOK, RestorePoint: "vzdump-qemu-101-2026_11_26-02_00_05.vma.zst"}},
		{"restore point with inner spaces and accents", `{"restore_point":"archive de nuit 2026-11-26 été"}`,
			Ping{Status: StatusOK, RestorePoint: "archive de nuit 2026-11-26 été"}},
		{"restore point of the longest", `{"restore_point":"` + strings.Repeat("a", MaxRestorePoint) + `"}`,
			Ping{Status: StatusOK, RestorePoint: strings.Repeat("a", MaxRestorePoint)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePing([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePing(%q): %v", tt.body, err)
			}
			if !samePing(got, tt.want) {
				t.Errorf("ParsePing(%q) = %s, want %s", tt.body, showPing(got), showPing(tt.want))
			}
		})
	}
}

func TestParsePingRefusesBadBodiesNamingTheProblem(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown field", `{"status":"ok","colour":"red"}`, `unknown field "colour"`},
		{"bad status", `{"status":"warn"}`, `field "status": want "ok" or "fail", got "warn"`},
		{"wrong type", `{"size":"big"}`, `field "size": want int64, got string`},
		{"fractional size", `{"size":1.5}`, `field "size": want int64, got number 1.5`},
		{"negative size", `{"size":-1}`, `field "size": must not be negative`},
		{"bad duration string", `{"duration":"soon"}`, `field "duration": want seconds or a duration such as "1m30s", got "soon"`},
		{"negative duration", `{"duration":-3}`, `field "duration": -3 seconds is out of range`},
		{"huge duration", `{"duration":1e300}`, `field "duration": 1e300 seconds is out of range`},
		{"duration of wrong type", `{"duration":true}`, `field "duration": want seconds or a duration such as "1m30s", got true`},
		{"long message", `{"message":"` + strings.Repeat("é", MaxMessage+1) + `"}`, `field "message": 1001 characters, at most 1000 are allowed`},
		{"NUL in message", `{"message":"a\u0000b"}`, `field "message": control characters are not allowed`},
		{"long restore point", `{"restore_point":"` + strings.Repeat("é", MaxRestorePoint/2+1) + `"}`, `field "restore_point": 202 bytes, at most 200 are allowed`},
		{"restore point with a tab", `{"restore_point":"a\tb"}`, `field "restore_point": only printable characters are allowed (no tab, line break or control character)`},
		{"restore point with a line break", `{"restore_point":"a\nb"}`, `field "restore_point": only printable characters are allowed (no tab, line break or control character)`},
		{"restore point with a bidi override", `{"restore_point":"snap\u202egpj.exe"}`, `field "restore_point": only printable characters are allowed (no tab, line break or control character)`},
		{"restore point with a NUL", `{"restore_point":"a\u0000"}`, `field "restore_point": only printable characters are allowed (no tab, line break or control character)`},
		{"restore point padded", `{"restore_point":" snap"}`, `field "restore_point": must not start or end with a space`},
		{"restore point of wrong type", `{"restore_point":42}`, `field "restore_point": want string, got number`},
		{"not an object", `[1]`, `want a JSON object`},
		{"null", `null`, `want a JSON object`},
		{"syntax", `{"status":}`, `malformed JSON at byte 11: invalid character '}' looking for beginning of value`},
		{"truncated", `{"status":"ok"`, `malformed JSON: body ends too early`},
		{"trailing data", `{} {}`, `malformed JSON: unexpected data after the object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePing([]byte(tt.body))
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParsePing(%.40q) error %v, want %q", tt.body, err, tt.want)
			}
		})
	}
}

func TestParsePingRefusesBodiesOverTheLimit(t *testing.T) {
	body := append([]byte(`{"message":"`), bytes.Repeat([]byte("a"), MaxBody)...)
	if _, err := ParsePing(body); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("error %v, want ErrBodyTooLarge", err)
	}
}

func FuzzParsePing(f *testing.F) {
	for _, s := range []string{"", "{}", `{"status":"fail","size":1,"duration":"1m","message":"x"}`,
		`{"duration":1.5}`, `{"duration":"-1s"}`, `[`, `{"a":1}`, "{\"message\":\"\\u0000\"}",
		`{"restore_point":"snap-1"}`, `{"restore_point":" x"}`, `{"restore_point":"a\u2028b"}`, "{\"restore_point\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePing(body)
		if err != nil {
			return
		}
		if p.Status != StatusOK && p.Status != StatusFail {
			t.Errorf("accepted status %q", p.Status)
		}
		if (p.Size != nil && *p.Size < 0) || (p.Duration != nil && *p.Duration < 0) {
			t.Errorf("accepted a negative size or duration: %s", showPing(p))
		}
		if strings.ContainsRune(p.Message, 0) {
			t.Errorf("accepted a NUL in the message")
		}
		rp := p.RestorePoint
		if len(rp) > MaxRestorePoint || !utf8.ValidString(rp) || strings.TrimSpace(rp) != rp ||
			strings.IndexFunc(rp, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			t.Errorf("accepted the restore point %q", rp)
		}
	})
}
