package support_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// Bytes that sniff as each kind of file.
var (
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	jpegData = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{1}, 64)...)
	pdfBytes = []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	zipBytes = append([]byte("PK\x03\x04\x14\x00\x00\x00"), bytes.Repeat([]byte{2}, 64)...)
)

// TestAttachmentsAreCheckedBySizeCountAndSniffedType: pictures, PDF, text
// and archives are taken under their sniffed type; markup (HTML, SVG,
// XML), programs, empty or oversized files and a fourth file are refused,
// naming the field, and nothing is written.
func TestAttachmentsAreCheckedBySizeCountAndSniffedType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C1", alice, "alice-blog", "Files")
		cases := []struct {
			name string
			data []byte
			want string // the stored type, "" for refused
		}{
			{"screen.png", pngBytes, "image/png"},
			{"photo.JPG", jpegData, "image/jpeg"},
			{"invoice.pdf", pdfBytes, "application/pdf"},
			{"error.log", []byte("PHP Fatal error: out of memory\n"), "text/plain; charset=utf-8"},
			{"site.zip", zipBytes, "application/zip"},
			{"page.html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), ""},
			{"page.txt", []byte("<html><body onload=alert(1)>"), ""},
			{"logo.txt", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
			{"logo", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
			{"logo.svg", pngBytes, ""},
			{"setup.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0xff}, 64)...), ""},
			{"tool", append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 64)...), ""},
			{"empty.txt", nil, ""},
			{"big.txt", bytes.Repeat([]byte("a"), support.MaxAttachmentSize+1), ""},
		}
		for _, c := range cases {
			m, err := f.st.CustomerReply(ctx, "C1", tk.ID, alice, "see the file", []support.Upload{{Name: c.name, Data: c.data}})
			if c.want == "" {
				if invalidField(t, err) != "attachments" {
					t.Errorf("%s: %v", c.name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s refused: %v", c.name, err)
				continue
			}
			a := m.Attachments[0]
			if a.ContentType != c.want || a.Name != c.name || a.Size != int64(len(c.data)) {
				t.Errorf("%s stored as %+v, want type %s", c.name, a, c.want)
			}
			// The bytes are on disk under the random id, the name never used.
			got, err := os.ReadFile(filepath.Join(f.dir, a.ID))
			if err != nil || !bytes.Equal(got, c.data) {
				t.Errorf("%s on disk: %v", c.name, err)
			}
		}
		four := make([]support.Upload, support.MaxAttachments+1)
		for i := range four {
			four[i] = support.Upload{Name: "a.png", Data: pngBytes}
		}
		if _, err := f.st.CustomerReply(ctx, "C1", tk.ID, alice, "many", four); invalidField(t, err) != "attachments" {
			t.Errorf("%d files: %v", len(four), err)
		}
		entries, err := os.ReadDir(f.dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 5 {
			t.Errorf("%d files on disk, want the 5 taken", len(entries))
		}
		for _, e := range entries {
			info, _ := e.Info()
			if len(e.Name()) != 32 || info.Mode().Perm() != 0o600 {
				t.Errorf("file %s mode %v: want a random 32-character name, 0600", e.Name(), info.Mode())
			}
		}
		if info, err := os.Stat(f.dir); err != nil || info.Mode().Perm() != 0o700 {
			t.Errorf("attachments directory: %v %v, want 0700", info.Mode(), err)
		}
	})
}

// TestAFailedMessageLeavesNoFileBehind: files are written before the
// message's transaction and removed when it fails.
func TestAFailedMessageLeavesNoFileBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C1", alice, "", "No asset", support.Upload{Name: "first.png", Data: pngBytes})
		closed := support.Closed
		if _, err := f.st.Change(ctx, tk.ID, ana, support.Change{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CustomerReply(ctx, "C1", tk.ID, alice, "again", []support.Upload{{Name: "b.png", Data: pngBytes}}); err == nil {
			t.Fatal("a reply to a closed ticket was taken")
		}
		lift := storetest.RefuseWrites(t, db, "ticket_attachments", "")
		if _, err := f.st.Open(ctx, support.NewTicket{Customer: "C1", Subject: "x", Body: "y", By: alice,
			Files: []support.Upload{{Name: "c.pdf", Data: pdfBytes}}}); err == nil {
			t.Fatal("a ticket was opened although its file could not be recorded")
		}
		lift()
		entries, err := os.ReadDir(f.dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("%d files on disk, want only the first ticket's", len(entries))
		}
		list, err := f.st.CustomerTickets(ctx, "C1", 0)
		if err != nil || len(list) != 1 {
			t.Errorf("tickets after a refused one: %v %v", list, err)
		}
	})
}

// TestAttachmentsOpenOnlyForTheirCustomerAndStaff: the owner's customer
// and staff read the bytes; another customer, a malformed id or a missing
// file are all not found.
func TestAttachmentsOpenOnlyForTheirCustomerAndStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C1", alice, "alice-blog", "Screenshot", support.Upload{Name: `C:\Users\al\écran "1".png`, Data: pngBytes})
		th, err := f.st.CustomerThread(ctx, "C1", tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := th.Messages[0].Attachments[0]
		if a.Name != "écran _1_.png" {
			t.Errorf("name %q, want the last element cleaned", a.Name)
		}
		for _, who := range []string{"C1", ""} {
			got, file, err := f.st.OpenAttachment(ctx, who, a.ID)
			if err != nil {
				t.Fatalf("%q: %v", who, err)
			}
			data, _ := io.ReadAll(file)
			_ = file.Close()
			if !bytes.Equal(data, pngBytes) || got.ContentType != "image/png" {
				t.Errorf("%q read %d bytes of %s", who, len(data), got.ContentType)
			}
		}
		for _, c := range []struct{ who, id string }{{"C2", a.ID}, {"C1", "../" + a.ID}, {"C1", strings.ToUpper(a.ID)}, {"C1", "0123456789abcdef0123456789abcdef"}} {
			if _, _, err := f.st.OpenAttachment(ctx, c.who, c.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s opening %q: %v", c.who, c.id, err)
			}
		}
		if err := os.Remove(filepath.Join(f.dir, a.ID)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.st.OpenAttachment(ctx, "C1", a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing file: %v", err)
		}
	})
}

// TestCleanNameKeepsTheLastElementSafe names what a sender's file name
// becomes.
func TestCleanNameKeepsTheLastElementSafe(t *testing.T) {
	long := strings.Repeat("é", 200) + ".pdf"
	for in, want := range map[string]string{
		"../../etc/passwd":        "passwd",
		"a\x00b\u202etxt.exe.png": "abtxt.exe.png",
		"..":                      "attachment",
		"  ":                      "attachment",
		"rapport: mai?.pdf":       "rapport_ mai_.pdf",
		long:                      strings.Repeat("é", 116) + ".pdf",
	} {
		if got := support.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
