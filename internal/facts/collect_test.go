package facts

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites the golden files under testdata instead of comparing with
// them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const gib = 1 << 30

// fakeStatfs serves disk sizes per mount point of a fake tree at root.
func fakeStatfs(root string, sizes map[string][2]uint64) StatfsFunc {
	return func(path string) (uint64, uint64, error) {
		mount := strings.TrimPrefix(path, root)
		if mount == "" {
			mount = "/"
		}
		s, ok := sizes[mount]
		if !ok {
			return 0, 0, fmt.Errorf("statfs %s: no such disk in the test", mount)
		}
		return s[0], s[1], nil
	}
}

// hostGolden is what a golden file records for one host.
type hostGolden struct {
	Kind       string            `json:"kind"`
	Labels     map[string]string `json:"labels,omitempty"`
	Facts      Facts             `json:"facts"`
	Values     map[string]string `json:"values"`
	Violations []Violation       `json:"violations"`
}

// TestHostsGolden proves that each fake host tree under testdata/hosts
// yields the facts and built-in rule violations of its .golden file.
func TestHostsGolden(t *testing.T) {
	hvDisks := map[string][2]uint64{
		"/":                       {100 * gib, 60 * gib},
		"/boot/efi":               {gib / 2, gib / 4},
		"/var/lib/libvirt/images": {4000 * gib, 1500 * gib},
	}
	tests := []struct {
		name   string
		kind   string
		labels map[string]string
		disks  map[string][2]uint64
	}{
		{"hypervisor-ok", "hypervisor", map[string]string{"site": "paris"}, hvDisks},
		{"hypervisor-mixed", "hypervisor", map[string]string{"site": "paris"}, hvDisks},
		{"hypervisor-powersave", "hypervisor", nil, hvDisks},
		{"vm-no-cpufreq", "vm", nil, map[string][2]uint64{
			"/":         {40 * gib, 30 * gib},
			"/boot/efi": {gib / 8, gib / 10},
		}},
		{"storage-disk-full", "storage", nil, map[string][2]uint64{
			"/":                 {50 * gib, 25 * gib},
			"/srv/data":         {20000 * gib, 900 * gib},
			"/mnt/old backups":  {2000 * gib, 210 * gib},
			"/snap/core22/1663": {gib / 10, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", "hosts", tt.name)
			f, err := Collect(root, WithStatfs(fakeStatfs(root, tt.disks)))
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			got := hostGolden{
				Kind: tt.kind, Labels: tt.labels, Facts: f, Values: f.Values(),
				Violations: Evaluate(BuiltinRules(), tt.kind, tt.labels, f),
			}
			if got.Violations == nil {
				got.Violations = []Violation{}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // keep "want < 90" readable
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			golden := root + ".golden"
			if *update {
				if err := os.WriteFile(golden, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("%s differs from what Collect and Evaluate give now (go test -update rewrites it):\n%s", golden, data)
			}
		})
	}
}

// TestCollectEmptyRoot proves a tree with none of the files gives empty
// facts, not an error.
func TestCollectEmptyRoot(t *testing.T) {
	f, err := Collect(t.TempDir(), WithStatfs(fakeStatfs("", nil)))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if v := f.Values(); len(v) != 0 {
		t.Errorf("Values() = %v, want none", v)
	}
}

// TestCollectStatfsError proves a disk that cannot be measured is reported
// with its error and no use, while the other facts are still collected.
func TestCollectStatfsError(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, mountsRel, "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /data xfs rw 0 0\n")
	f, err := Collect(root, WithStatfs(fakeStatfs(root, map[string][2]uint64{"/": {100, 25}})))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	v := f.Values()
	if got := v["disk./.used_pct"]; got != "75.0" {
		t.Errorf("disk./.used_pct = %q, want 75.0", got)
	}
	if got := v["disk./data.error"]; !strings.Contains(got, "no such disk") {
		t.Errorf("disk./data.error = %q, want the statfs error", got)
	}
	if _, ok := v["disk./data.used_pct"]; ok {
		t.Error("disk./data.used_pct reported for a disk that could not be measured")
	}
}

// TestCollectPolicyOrder proves policies come in numeric order, policy10
// after policy2, and that other entries of the cpufreq directory are ignored.
func TestCollectPolicyOrder(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"policy10", "policy2", "policy0"} {
		writeFile(t, root, cpufreqDir+"/"+n+"/scaling_governor", "performance\n")
	}
	writeFile(t, root, cpufreqDir+"/boost", "1\n")
	f, err := Collect(root)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var names []string
	for _, p := range f.Policies {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, ","), "policy0,policy2,policy10"; got != want {
		t.Errorf("policies = %s, want %s", got, want)
	}
}

// TestCollectMalformed proves a malformed file is an error that names the
// file and, where it applies, the line.
func TestCollectMalformed(t *testing.T) {
	policy0 := cpufreqDir + "/policy0/"
	tests := []struct {
		file, content, want string
	}{
		{loadavgRel, "0.5 0.4\n", "proc/loadavg:1: want three load averages"},
		{loadavgRel, "0.5 x 0.3 1/2 3\n", `proc/loadavg:1: load average 2: want a number, got "x"`},
		{meminfoRel, "MemTotal: 100 kB\nMemAvailable 50 kB\n", `proc/meminfo:2: want "Key: value"`},
		{meminfoRel, "MemTotal: 100 kB\nMemAvailable: lots kB\n", `proc/meminfo:2: MemAvailable: want a number, got "lots"`},
		{meminfoRel, "MemTotal: 100 MB\n", "proc/meminfo:1: MemTotal: want a number optionally followed by kB"},
		{meminfoRel, "MemTotal: 100 kB\nMemFree: 1 kB\nMemAvailable: 200 kB\n", "proc/meminfo:3: MemAvailable (204800) is more than MemTotal (102400)"},
		{uptimeRel, "soon 12\n", `proc/uptime:1: want seconds, got "soon"`},
		{uptimeRel, "\n", "proc/uptime:1: empty"},
		{osreleaseRel, "\n", "proc/sys/kernel/osrelease:1: empty"},
		{cpuOnlineRel, "0-3,7-5\n", `sys/devices/system/cpu/online:1: want a CPU list such as 0-3,8, got "7-5"`},
		{mountsRel, "/dev/sda1 / ext4 rw 0 0\nbroken line\n", `proc/self/mounts:2: want "device mountpoint fstype options"`},
		{mountsRel, "/dev/sda1 /mnt\\04 ext4 rw 0 0\n", `proc/self/mounts:1: bad mount point "/mnt\\04"`},
		{policy0 + "scaling_governor", "\n", "policy0/scaling_governor:1: empty"},
		{policy0 + "energy_performance_preference", "balance power\n", `policy0/energy_performance_preference:1: want one word, got "balance power"`},
		{policy0 + "scaling_cur_freq", "fast\n", `policy0/scaling_cur_freq:1: want a frequency in kHz, got "fast"`},
		{policy0 + "cpuinfo_max_freq", "-1\n", `policy0/cpuinfo_max_freq:1: want a frequency in kHz, got "-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, tt.file, tt.content)
			_, err := Collect(root, WithStatfs(func(string) (uint64, uint64, error) { return 1, 1, nil }))
			if err == nil {
				t.Fatalf("Collect gave no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != filepath.Join(root, tt.file) {
				t.Errorf("error %v is not a *ParseError naming %s", err, filepath.Join(root, tt.file))
			}
		})
	}
}

// writeFile writes content to rel under root, creating its directories.
func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
