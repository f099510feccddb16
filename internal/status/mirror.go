package status

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// manifestName lists, in a mirror directory, the files the last export
// wrote, so that the next one removes those it no longer has and nothing
// else.
const manifestName = ".vigie-mirror"

// FileName is where a mirror writes the file of a path: pages (paths that
// are "" or end in "/") as index.html in their directory.
func FileName(path string) string {
	if path == "" || strings.HasSuffix(path, "/") {
		return path + "index.html"
	}
	return path
}

// WriteDir writes a site as static files under dir, for any web server to
// serve: each file is written to a temporary name and renamed, so that a
// reader never sees half a file, and files of an earlier export that the
// site no longer has are removed.
func WriteDir(site *Site, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mirror %s: %w", dir, err)
	}
	old, err := readManifest(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(site.Files))
	for path, f := range site.Files {
		name := FileName(path)
		if !fs.ValidPath(name) || strings.HasPrefix(name, manifestName) {
			return fmt.Errorf("mirror %s: unsafe path %q", dir, path)
		}
		if err := writeAtomic(filepath.Join(dir, filepath.FromSlash(name)), f.Body); err != nil {
			return fmt.Errorf("mirror %s: %w", dir, err)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range old {
		if _, ok := slices.BinarySearch(names, name); !ok && fs.ValidPath(name) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("mirror %s: %w", dir, err)
			}
		}
	}
	return writeAtomic(filepath.Join(dir, manifestName), []byte(strings.Join(names, "\n")+"\n"))
}

func readManifest(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", dir, err)
	}
	defer func() { _ = f.Close() }()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			names = append(names, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mirror %s: %w", dir, err)
	}
	return names, nil
}

func writeAtomic(name string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(body); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
