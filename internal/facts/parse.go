package facts

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseError is a host file the agent could not understand, with the line at
// fault (0 when the file as a whole is wrong).
type ParseError struct {
	File    string
	Line    int
	Message string
}

// Error returns "file:line: message", the way compilers name a place.
func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Message
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Message
}

func parseErr(file string, line int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Message: fmt.Sprintf(format, args...)}
}

// lines splits data into lines, dropping a final empty one.
func lines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// parseWord reads a file holding one word, such as scaling_governor.
func parseWord(file string, data []byte) (string, error) {
	s := string(bytes.TrimSpace(data))
	if s == "" {
		return "", parseErr(file, 1, "empty")
	}
	if strings.ContainsAny(s, " \t\n") {
		return "", parseErr(file, 1, "want one word, got %q", s)
	}
	return s, nil
}

// parseKHz reads a frequency file such as scaling_cur_freq.
func parseKHz(file string, data []byte) (uint64, error) {
	s := string(bytes.TrimSpace(data))
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, parseErr(file, 1, "want a frequency in kHz, got %q", s)
	}
	return n, nil
}

// parseNumber reads a finite, non-negative decimal number.
func parseNumber(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0, false
	}
	return x, true
}

// parseLoadavg reads /proc/loadavg: "0.52 0.58 0.59 1/234 5678".
func parseLoadavg(file string, data []byte) (Load, error) {
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return Load{}, parseErr(file, 1, "want three load averages, got %q", strings.TrimSpace(string(data)))
	}
	var xs [3]float64
	for i := range xs {
		x, ok := parseNumber(f[i])
		if !ok {
			return Load{}, parseErr(file, 1, "load average %d: want a number, got %q", i+1, f[i])
		}
		xs[i] = x
	}
	return Load{One: xs[0], Five: xs[1], Fifteen: xs[2]}, nil
}

// parseUptime reads /proc/uptime: "12345.67 54321.00".
func parseUptime(file string, data []byte) (float64, error) {
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, parseErr(file, 1, "empty")
	}
	x, ok := parseNumber(f[0])
	if !ok {
		return 0, parseErr(file, 1, "want seconds, got %q", f[0])
	}
	return x, nil
}

// parseMeminfo reads /proc/meminfo, "Key:   value kB" per line. It returns
// nil when MemTotal or MemAvailable is missing (kernels before 3.14).
func parseMeminfo(file string, data []byte) (*Memory, error) {
	var total, avail uint64
	var haveTotal, haveAvail bool
	var availLine int
	for i, line := range lines(data) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) == "" {
			return nil, parseErr(file, i+1, "want \"Key: value\", got %q", line)
		}
		f := strings.Fields(rest)
		if len(f) == 0 || len(f) > 2 || (len(f) == 2 && f[1] != "kB") {
			return nil, parseErr(file, i+1, "%s: want a number optionally followed by kB, got %q", key, strings.TrimSpace(rest))
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return nil, parseErr(file, i+1, "%s: want a number, got %q", key, f[0])
		}
		if len(f) == 2 {
			if n > math.MaxUint64/1024 {
				return nil, parseErr(file, i+1, "%s: %s kB is too large", key, f[0])
			}
			n *= 1024
		}
		switch key {
		case "MemTotal":
			total, haveTotal = n, true
		case "MemAvailable":
			avail, haveAvail, availLine = n, true, i+1
		}
	}
	if !haveTotal || !haveAvail {
		return nil, nil
	}
	if avail > total {
		return nil, parseErr(file, availLine, "MemAvailable (%d) is more than MemTotal (%d)", avail, total)
	}
	return &Memory{TotalBytes: total, AvailableBytes: avail, UsedPct: usedPct(total, avail)}, nil
}

// usedPct is the share of total that is not free, rounded to a tenth.
func usedPct(total, free uint64) float64 {
	if total == 0 || free > total {
		return 0
	}
	return math.Round(float64(total-free)/float64(total)*1000) / 10
}

// parseCPUList reads a CPU list such as "0-3,8,10-11" and counts the CPUs.
func parseCPUList(file string, data []byte) (int, error) {
	s := string(bytes.TrimSpace(data))
	if s == "" {
		return 0, parseErr(file, 1, "empty")
	}
	count := 0
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return 0, parseErr(file, 1, "want a CPU list such as 0-3,8, got %q", part)
		}
		count += int(b-a) + 1
	}
	return count, nil
}

// mount is one line of /proc/self/mounts.
type mount struct {
	device, point, fstype string
}

// parseMounts reads /proc/self/mounts: "device mountpoint fstype options 0 0",
// with spaces and other special characters written as octal escapes.
func parseMounts(file string, data []byte) ([]mount, error) {
	var ms []mount
	for i, line := range lines(data) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, parseErr(file, i+1, "want \"device mountpoint fstype options\", got %q", line)
		}
		point, ok := unescapeOctal(f[1])
		if !ok || !strings.HasPrefix(point, "/") {
			return nil, parseErr(file, i+1, "bad mount point %q", f[1])
		}
		ms = append(ms, mount{device: f[0], point: point, fstype: f[2]})
	}
	return ms, nil
}

// unescapeOctal undoes the kernel's \ooo escapes in mount fields; it
// reports false on a truncated or invalid escape.
func unescapeOctal(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", false
		}
		n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return b.String(), true
}
