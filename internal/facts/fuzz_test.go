package facts

import (
	"testing"
)

// FuzzParseMeminfo proves no meminfo content makes the parser panic, and
// that whatever it accepts is a consistent memory fact.
func FuzzParseMeminfo(f *testing.F) {
	f.Add([]byte("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nHugePages_Total: 0\n"))
	f.Add([]byte("MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n"))
	f.Add([]byte("MemTotal:\n"))
	f.Add([]byte(":"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMeminfo("meminfo", data)
		if err != nil {
			return
		}
		if m != nil && (m.AvailableBytes > m.TotalBytes || m.UsedPct < 0 || m.UsedPct > 100) {
			t.Errorf("parseMeminfo(%q) = %+v, inconsistent", data, m)
		}
	})
}

// FuzzParseMounts proves no mounts content makes the parser panic, and
// that every mount point it accepts is absolute.
func FuzzParseMounts(f *testing.F) {
	f.Add([]byte("/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /mnt/a\\040b xfs rw 0 0\n"))
	f.Add([]byte("x /\\ y z\n"))
	f.Add([]byte("x /\\0 y z\n"))
	f.Add([]byte("x /\\777 y z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := parseMounts("mounts", data)
		if err != nil {
			return
		}
		for _, m := range ms {
			if len(m.point) == 0 || m.point[0] != '/' {
				t.Errorf("parseMounts(%q) gave mount point %q", data, m.point)
			}
		}
	})
}
