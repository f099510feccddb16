package facts

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// StatfsFunc measures the file system mounted at path: its size and the
// space still available to ordinary users, in bytes.
type StatfsFunc func(path string) (total, free uint64, err error)

// Option changes how Collect reads a host.
type Option func(*collector)

// WithStatfs measures disks with fn instead of the statfs system call; tests
// use it to give a fake tree the disk use they need.
func WithStatfs(fn StatfsFunc) Option {
	return func(c *collector) { c.statfs = fn }
}

// Where Collect finds each fact, relative to the root it is given.
const (
	cpufreqDir   = "sys/devices/system/cpu/cpufreq"
	cpuOnlineRel = "sys/devices/system/cpu/online"
	loadavgRel   = "proc/loadavg"
	meminfoRel   = "proc/meminfo"
	uptimeRel    = "proc/uptime"
	osreleaseRel = "proc/sys/kernel/osrelease"
	mountsRel    = "proc/self/mounts"
)

// collector holds what one Collect call needs.
type collector struct {
	root   string
	statfs StatfsFunc
}

// Collect reads the facts of the Linux host whose file system is at root,
// normally "/". A missing file only leaves its facts out; a file that cannot
// be read or understood is an error naming it (a *ParseError, with the line,
// when the content is at fault). A disk that cannot be measured is reported
// with its Error set rather than failing the whole collection.
func Collect(root string, opts ...Option) (Facts, error) {
	c := &collector{root: root, statfs: statfs}
	for _, o := range opts {
		o(c)
	}
	var f Facts
	steps := []func(*Facts) error{c.kernel, c.uptime, c.cpus, c.policies, c.load, c.memory, c.disks}
	for _, step := range steps {
		if err := step(&f); err != nil {
			return Facts{}, err
		}
	}
	return f, nil
}

// read returns the content of the file at rel under the root and the path
// to name it by; ok is false when the file does not exist.
func (c *collector) read(rel string) (data []byte, path string, ok bool, err error) {
	path = filepath.Join(c.root, rel)
	data, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, false, nil
	}
	if err != nil {
		return nil, path, false, fmt.Errorf("read host facts: %w", err)
	}
	return data, path, true, nil
}

func (c *collector) kernel(f *Facts) error {
	data, path, ok, err := c.read(osreleaseRel)
	if !ok {
		return err
	}
	f.Kernel, err = parseWord(path, data)
	return err
}

func (c *collector) uptime(f *Facts) error {
	data, path, ok, err := c.read(uptimeRel)
	if !ok {
		return err
	}
	up, err := parseUptime(path, data)
	if err != nil {
		return err
	}
	f.Uptime = &up
	return nil
}

func (c *collector) cpus(f *Facts) error {
	data, path, ok, err := c.read(cpuOnlineRel)
	if !ok {
		return err
	}
	f.CPUCount, err = parseCPUList(path, data)
	return err
}

func (c *collector) load(f *Facts) error {
	data, path, ok, err := c.read(loadavgRel)
	if !ok {
		return err
	}
	l, err := parseLoadavg(path, data)
	if err != nil {
		return err
	}
	f.Load = &l
	return nil
}

func (c *collector) memory(f *Facts) error {
	data, path, ok, err := c.read(meminfoRel)
	if !ok {
		return err
	}
	f.Memory, err = parseMeminfo(path, data)
	return err
}

// policies reads every cpufreq policy, in the kernel's numeric order.
func (c *collector) policies(f *Facts) error {
	entries, err := os.ReadDir(filepath.Join(c.root, cpufreqDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no cpufreq driver: VMs, or firmware-managed frequency
	}
	if err != nil {
		return fmt.Errorf("read host facts: %w", err)
	}
	var nums []int
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "policy")
		if i, err := strconv.Atoi(n); ok && err == nil && i >= 0 {
			nums = append(nums, i)
		}
	}
	slices.Sort(nums)
	for _, n := range nums {
		p, err := c.policy("policy" + strconv.Itoa(n))
		if err != nil {
			return err
		}
		f.Policies = append(f.Policies, p)
	}
	return nil
}

func (c *collector) policy(name string) (Policy, error) {
	p := Policy{Name: name}
	dir := cpufreqDir + "/" + name + "/"
	words := []struct {
		file string
		dst  *string
	}{
		{"scaling_governor", &p.Governor},
		{"energy_performance_preference", &p.EnergyPerformancePreference},
	}
	for _, w := range words {
		data, path, ok, err := c.read(dir + w.file)
		if !ok {
			if err != nil {
				return Policy{}, err
			}
			continue
		}
		if *w.dst, err = parseWord(path, data); err != nil {
			return Policy{}, err
		}
	}
	freqs := []struct {
		file string
		dst  *uint64
	}{
		{"scaling_cur_freq", &p.CurFreqKHz},
		{"cpuinfo_max_freq", &p.MaxFreqKHz},
	}
	for _, q := range freqs {
		data, path, ok, err := c.read(dir + q.file)
		if !ok {
			if err != nil {
				return Policy{}, err
			}
			continue
		}
		if *q.dst, err = parseKHz(path, data); err != nil {
			return Policy{}, err
		}
	}
	return p, nil
}

// diskFS lists the file systems whose use is worth watching. Anything else
// (proc, sysfs, tmpfs, cgroup, overlay, squashfs snaps that are always full,
// network mounts watched on their own server) is skipped, so a new pseudo
// file system can never raise a disk alert.
func diskFS(fstype string) bool {
	switch fstype {
	case "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "bcachefs", "f2fs",
		"jfs", "reiserfs", "vfat", "exfat", "ntfs", "ntfs3":
		return true
	}
	return false
}

// disks measures every real file system mounted on the host, one per mount
// point (the last mount on a point is the one in use), sorted by mount point.
func (c *collector) disks(f *Facts) error {
	data, path, ok, err := c.read(mountsRel)
	if !ok {
		return err
	}
	ms, err := parseMounts(path, data)
	if err != nil {
		return err
	}
	byPoint := make(map[string]mount)
	for _, m := range ms {
		if diskFS(m.fstype) {
			byPoint[m.point] = m
		} else {
			delete(byPoint, m.point) // hidden by a later pseudo mount
		}
	}
	for _, m := range byPoint {
		d := Disk{Mount: m.point, FSType: m.fstype}
		total, free, err := c.statfs(filepath.Join(c.root, m.point))
		switch {
		case err != nil:
			d.Error = err.Error()
		case free > total:
			d.Error = fmt.Sprintf("statfs: %d bytes free of %d", free, total)
		default:
			d.TotalBytes, d.FreeBytes, d.UsedPct = total, free, usedPct(total, free)
		}
		f.Disks = append(f.Disks, d)
	}
	slices.SortFunc(f.Disks, func(a, b Disk) int { return cmp.Compare(a.Mount, b.Mount) })
	return nil
}
