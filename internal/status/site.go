package status

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"time"
)

// File is one rendered document of the public side.
type File struct {
	// Path is its URL path under the site's root, without a leading
	// slash: "" (the home page), "incidents/42/", "feed.atom",
	// "api/v2/summary.json". A path that is "" or ends in "/" is an HTML
	// page, written as index.html by a mirror.
	Path        string
	ContentType string
	Body        []byte
	// Gzip and ETag are set when the site is sealed.
	Gzip []byte
	ETag string
}

// Site is every document of one Page, by path.
type Site struct {
	Version string
	// Generated is when the page was built (Last-Modified).
	Generated time.Time
	Files     map[string]*File
}

// NewSite returns an empty site.
func NewSite(version string, generated time.Time) *Site {
	return &Site{Version: version, Generated: generated, Files: map[string]*File{}}
}

// Add puts files in the site, by path; a leading slash is dropped.
func (s *Site) Add(files ...File) {
	for i := range files {
		f := files[i]
		f.Path = strings.TrimPrefix(f.Path, "/")
		s.Files[f.Path] = &f
	}
}

// Seal computes each file's gzip body and ETag once, so that serving it
// costs no CPU per request.
func (s *Site) Seal() error {
	for _, f := range s.Files {
		if err := f.seal(); err != nil {
			return err
		}
	}
	return nil
}

// gzipWriters are reused: a compressor's tables are larger than most
// documents it compresses.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression) // a valid level never fails
	return zw
}}

// seal computes the file's ETag and, when it is worth it, its gzip body.
func (f *File) seal() error {
	sum := sha256.Sum256(f.Body)
	f.ETag = `"` + hex.EncodeToString(sum[:12]) + `"`
	if len(f.Body) < 256 {
		return nil
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(f.Body); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if buf.Len() < len(f.Body) {
		f.Gzip = buf.Bytes()
	}
	return nil
}
