package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"

	"github.com/vigie/vigie/internal/inventory"
)

// MaxImportBody bounds the body of an import request.
const MaxImportBody = 256 << 20

// importBusyRetry is the wait, in seconds, asked of an import refused
// because others are running.
const importBusyRetry = 10

// importInventory takes one file as the body (its name in ?name=) or several
// as multipart/form-data parts, with ?dry_run=true and ?prune=true. Only a
// few imports run at once; the body is written to temporary files as it
// arrives and parsed from there, so a slow upload holds no memory.
func (h *api) importInventory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dryRun, err := parseBool("dry_run", q.Get("dry_run"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	prune, err := parseBool("prune", q.Get("prune"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	select {
	case h.imports <- struct{}{}:
		defer func() { <-h.imports }()
	default:
		w.Header().Set("Connection", "close")
		h.fail(w, r, &Error{Status: http.StatusTooManyRequests, RetryAfter: importBusyRetry,
			Message: fmt.Sprintf("%d imports are running; try again in %d s", cap(h.imports), importBusyRetry)})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBody)
	spooled, err := spoolImport(r)
	defer spooled.remove()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	files := make([]inventory.File, len(spooled))
	for i, f := range spooled {
		data, err := os.ReadFile(f.path)
		if err != nil {
			h.fail(w, r, fmt.Errorf("import: read spooled %s: %w", f.name, err))
			return
		}
		files[i] = inventory.File{Name: f.name, Data: data}
	}
	plan, err := h.inv.ImportFiles(r.Context(), files, inventory.ImportOptions{DryRun: dryRun, Prune: prune})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"dry_run": dryRun, "applied": !dryRun && !plan.Empty(), "unchanged": plan.Empty(),
		"changes": plan.Summary(),
	})
}

func parseBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("%s: want true or false, got %q", name, v)
	}
	return b, nil
}

// spooledFile is one uploaded file, written to a temporary file.
type spooledFile struct {
	name, path string
}

type spooledFiles []spooledFile

func (fs spooledFiles) remove() {
	for _, f := range fs {
		_ = os.Remove(f.path)
	}
}

// spoolImport writes the files of an import request to temporary files
// (mode 0600, removed by the caller).
func spoolImport(r *http.Request) (spooledFiles, error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "request"
		}
		f, err := spool(name, r.Body)
		if err != nil {
			return nil, err
		}
		return spooledFiles{f}, nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var files spooledFiles
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return files, err
		}
		if err != nil {
			return files, badRequest("malformed multipart body: %v", err)
		}
		name := part.FileName()
		if name == "" {
			name = part.FormName()
		}
		f, err := spool(name, part)
		if err != nil {
			return files, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, badRequest("no file in the multipart body")
	}
	return files, nil
}

// spool copies one file to a new temporary file.
func spool(name string, from io.Reader) (spooledFile, error) {
	tmp, err := os.CreateTemp("", "vigie-import-*")
	if err != nil {
		return spooledFile{}, fmt.Errorf("import: spool %s: %w", name, err)
	}
	f := spooledFile{name: name, path: tmp.Name()}
	_, err = io.Copy(tmp, from)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("import: spool %s: %w", name, cerr)
	}
	if err != nil {
		_ = os.Remove(f.path)
		return spooledFile{}, fmt.Errorf("import: read %s: %w", name, err)
	}
	return f, nil
}
