package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/vigie/vigie/internal/inventory"
)

// importInventory takes one file as the body (its name in ?name=) or several
// as multipart/form-data parts, with ?dry_run=true and ?prune=true.
func (s *Server) importInventory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dryRun, err := parseBool("dry_run", q.Get("dry_run"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prune, err := parseBool("prune", q.Get("prune"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBody)
	docs, err := readImportFiles(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	files := make([]inventory.File, len(docs))
	for i, f := range docs {
		files[i] = inventory.File{Name: f.name, Data: f.data}
	}
	plan, err := s.inv.ImportFiles(r.Context(), files, inventory.ImportOptions{DryRun: dryRun, Prune: prune})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"dry_run": dryRun, "applied": !dryRun && !plan.Empty(), "unchanged": plan.Empty(),
		"changes": plan.Summary(),
	})
}

type namedFile struct {
	name string
	data []byte
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

func readImportFiles(r *http.Request) ([]namedFile, error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		data, err := readBody(r.Body)
		if err != nil {
			return nil, err
		}
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "request"
		}
		return []namedFile{{name: name, data: data}}, nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var files []namedFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest("malformed multipart body: %v", err)
		}
		name := part.FileName()
		if name == "" {
			name = part.FormName()
		}
		data, err := readBody(part)
		if err != nil {
			return nil, err
		}
		files = append(files, namedFile{name: name, data: data})
	}
	if len(files) == 0 {
		return nil, badRequest("no file in the multipart body")
	}
	return files, nil
}

func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("body larger than %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return data, nil
}
