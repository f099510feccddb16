package support

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/store"
)

// The limits of attachments.
const (
	MaxAttachmentSize = 5 << 20 // bytes, each
	MaxAttachments    = 3       // per message
	maxNameRunes      = 120
)

// Upload is a file sent with a message, as the sender named it.
type Upload struct {
	Name string
	Data []byte
}

// allowedTypes are the types sniffed from the bytes that are taken:
// pictures, PDF, plain text and archives. Markup (HTML, SVG, XML) and
// programs are not: they could run in a browser or on a computer.
var allowedTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
	"text/plain", "application/zip", "application/x-gzip"}

// refusedExtensions are names a file is never taken under, whatever its
// bytes look like: a browser or a desktop would run or render them.
var refusedExtensions = []string{".svg", ".svgz", ".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml",
	".xml", ".js", ".mjs", ".exe", ".com", ".bat", ".cmd", ".msi", ".scr", ".ps1", ".vbs", ".jar", ".sh", ".apk",
	".dll", ".app", ".hta", ".lnk", ".pif", ".cpl"}

// markup is what, in a file sniffed as plain text, shows it is markup a
// browser would render (an SVG picture starts as plain text).
var markup = [][]byte{[]byte("<svg"), []byte("<script"), []byte("<html"), []byte("<iframe"), []byte("<object"),
	[]byte("<embed"), []byte("<?xml"), []byte("<!doctype")}

// prepared is an upload checked and ready to store.
type prepared struct {
	att  Attachment
	data []byte
}

// prepare checks uploads against the limits and types and gives each its
// random id; the field of errors is attachments.
func prepare(uploads []Upload) ([]prepared, error) {
	if len(uploads) > MaxAttachments {
		return nil, invalid("attachments", "at most %d files per message, got %d", MaxAttachments, len(uploads))
	}
	out := make([]prepared, 0, len(uploads))
	for _, u := range uploads {
		name := CleanName(u.Name)
		switch {
		case len(u.Data) == 0:
			return nil, invalid("attachments", "%s is empty", name)
		case len(u.Data) > MaxAttachmentSize:
			return nil, invalid("attachments", "%s is larger than %d MiB", name, MaxAttachmentSize>>20)
		}
		ct, err := sniff(name, u.Data)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(u.Data)
		out = append(out, prepared{att: Attachment{ID: newFileID(), Name: name, ContentType: ct,
			Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}, data: u.Data})
	}
	return out, nil
}

// sniff returns the type of a file from its bytes, or an *InvalidError
// when it is not one taken.
func sniff(name string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if slices.Contains(refusedExtensions, ext) {
		return "", invalid("attachments", "%s: files of type %s are not accepted; send a picture, a PDF, a text file or a zip", name, ext)
	}
	ct := http.DetectContentType(data)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(allowedTypes, mt) {
		return "", invalid("attachments", "%s: its content (%s) is not accepted; send a picture, a PDF, a text file or a zip", name, mt)
	}
	if mt == "text/plain" {
		head := bytes.ToLower(data[:min(len(data), 4096)])
		for _, m := range markup {
			if bytes.Contains(head, m) {
				return "", invalid("attachments", "%s: markup (HTML, SVG, XML) is not accepted; send a picture, a PDF, a text file or a zip", name)
			}
		}
	}
	return ct, nil
}

// CleanName makes a sender's file name safe to keep and show: its last
// path element, without control characters or those file systems refuse,
// at most 120 characters (the extension kept); "attachment" when nothing
// is left.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = name[strings.LastIndex(name, "/")+1:]
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > maxNameRunes {
		ext := []rune(filepath.Ext(name))
		if len(ext) > 16 {
			ext = nil
		}
		name = string(r[:maxNameRunes-len(ext)]) + string(ext)
	}
	if name == "" {
		return "attachment"
	}
	return name
}

var fileID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newFileID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeFiles stores the files in dir, each under its id, and returns a
// function removing them (when the transaction recording them fails).
func (s *Store) writeFiles(files []prepared) (undo func(), err error) {
	var written []string
	undo = func() {
		for _, p := range written {
			_ = os.Remove(p)
		}
	}
	if len(files) == 0 {
		return undo, nil
	}
	dir := s.o.Attachments
	if dir == "" {
		return undo, invalid("attachments", "this server takes no attachments (no directory is set for them)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return undo, fmt.Errorf("attachments directory: %w", err)
	}
	for _, f := range files {
		path := filepath.Join(dir, f.att.ID)
		if err := writeFile(path, f.data); err != nil {
			undo()
			return func() {}, err
		}
		written = append(written, path)
	}
	return undo, nil
}

// writeFile writes data to path through a temporary file, so that a file
// under its final name is always whole.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("store attachment: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("store attachment: %w", err)
	}
	return nil
}

// insertAttachments records the files of message msg, sent at at, in tx.
func insertAttachments(ctx context.Context, tx *sql.Tx, ticket, msg int64, at time.Time, files []prepared) ([]Attachment, error) {
	out := make([]Attachment, 0, len(files))
	for _, f := range files {
		a := f.att
		a.TicketID, a.MessageID, a.CreatedAt = ticket, msg, at
		_, err := tx.ExecContext(ctx, `INSERT INTO ticket_attachments (id, ticket_id, message_id, name, content_type, size,
			sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.TicketID, a.MessageID, a.Name,
			a.ContentType, a.Size, a.SHA256, a.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("record attachment %s: %w", a.Name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

const attachmentColumns = `id, ticket_id, message_id, name, content_type, size, sha256, created_at`

func eachAttachment(ctx context.Context, q store.Querier, where string, args []any, fn func(Attachment)) error {
	return store.Each(ctx, q, "read attachments", `SELECT `+attachmentColumns+` FROM ticket_attachments `+where, args,
		func(rows *sql.Rows) error {
			var a Attachment
			if err := rows.Scan(&a.ID, &a.TicketID, &a.MessageID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt); err != nil {
				return err
			}
			a.CreatedAt = a.CreatedAt.UTC()
			fn(a)
			return nil
		})
}

// OpenAttachment returns an attachment and its file, open for reading,
// for staff (customer "") or for the customer whose ticket it belongs to.
// A customer never gets another customer's file, nor one attached to a
// staff note: both are not found, as a missing one is.
func (s *Store) OpenAttachment(ctx context.Context, customer, id string) (Attachment, *os.File, error) {
	notFound := store.NotFound("attachment", id)
	if !fileID.MatchString(id) || s.o.Attachments == "" {
		return Attachment{}, nil, notFound
	}
	where := `WHERE id = $1`
	args := []any{id}
	if customer != "" {
		where += ` AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = $2)
			AND message_id IN (SELECT id FROM ticket_messages WHERE NOT internal)`
		args = append(args, customer)
	}
	var found []Attachment
	if err := eachAttachment(ctx, s.db, where, args, func(a Attachment) { found = append(found, a) }); err != nil {
		return Attachment{}, nil, err
	}
	if len(found) == 0 {
		return Attachment{}, nil, notFound
	}
	f, err := os.Open(filepath.Join(s.o.Attachments, id))
	if errors.Is(err, os.ErrNotExist) {
		s.o.Logger.ErrorContext(ctx, "support: attachment file missing", "attachment", id, "ticket", found[0].TicketID)
		return Attachment{}, nil, notFound
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("open attachment %s: %w", id, err)
	}
	return found[0], f, nil
}
