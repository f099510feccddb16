package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// importView is the import page: the form, then a dry run's plan or
// problems, then what was applied.
type importView struct {
	// Name, Content and Prune are what was sent, carried by the
	// confirmation form so that "apply" imports exactly that.
	Name, Content string
	Prune         bool
	// Planned is set after a dry run: Changes is its plan (empty when
	// nothing would change), Version the inventory version it was made on.
	Planned   bool
	Changes   []inventory.KindChange
	Unchanged bool
	Version   int64
	// Problems are the dry run's, "file:line: message" as the CLI prints
	// them; Changed says the inventory moved since the plan shown, which
	// was made again; Applied that the import was written.
	Problems []string
	Changed  bool
	Applied  bool
	// Problem is a mistake in the form itself.
	Problem string
}

// showImport is the empty import form.
func (h *inventoryPages) showImport(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	h.renderPage(w, r, http.StatusOK, "staff_import", h.text(v.Lang, "ConsoleInvImportTitle"), importView{})
}

// postImport makes a dry run of what was sent and shows its plan; with
// confirm, it applies it, but only on the inventory version the plan was
// made on: otherwise it plans again and asks again.
func (h *inventoryPages) postImport(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	title := h.text(v.Lang, "ConsoleInvImportTitle")
	view, err := readImportForm(r)
	if err != nil {
		view.Problem = err.Error()
		h.renderPage(w, r, http.StatusBadRequest, "staff_import", title, view)
		return
	}
	files := []inventory.File{{Name: view.Name, Data: []byte(view.Content)}}
	if r.PostFormValue("confirm") != "" {
		version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
		if err != nil {
			view.Problem = "version: want the inventory version of the dry run"
			h.renderPage(w, r, http.StatusBadRequest, "staff_import", title, view)
			return
		}
		plan, err := h.d.Inventory.ImportFiles(r.Context(), files, inventory.ImportOptions{Prune: view.Prune, IfVersion: &version})
		switch {
		case errors.Is(err, inventory.ErrChanged):
			view.Changed = true // planned again below
		case err != nil:
			h.importFailed(w, r, title, view, err)
			return
		default:
			view.Applied, view.Planned, view.Changes, view.Unchanged = true, true, plan.Summary(), plan.Empty()
			h.renderPage(w, r, http.StatusOK, "staff_import", title, view)
			return
		}
	}
	plan, err := h.d.Inventory.ImportFiles(r.Context(), files, inventory.ImportOptions{DryRun: true, Prune: view.Prune})
	if err != nil {
		h.importFailed(w, r, title, view, err)
		return
	}
	view.Planned, view.Changes, view.Unchanged, view.Version = true, plan.Summary(), plan.Empty(), plan.BaseVersion
	h.renderPage(w, r, http.StatusOK, "staff_import", title, view)
}

// importFailed shows an import's problems, or fails the page.
func (h *inventoryPages) importFailed(w http.ResponseWriter, r *http.Request, title string, view importView, err error) {
	var problems inventory.Problems
	if !errors.As(err, &problems) {
		h.failPage(w, r, err)
		return
	}
	problems.Sort()
	for _, p := range problems {
		view.Problems = append(view.Problems, p.String())
	}
	h.renderPage(w, r, http.StatusUnprocessableEntity, "staff_import", title, view)
}

// readImportForm reads the file sent: an uploaded file, or else the
// pasted text, named by the name field (default "pasted.yaml").
func readImportForm(r *http.Request) (importView, error) {
	view := importView{Name: strings.TrimSpace(r.PostFormValue("name")), Content: r.PostFormValue("content"), Prune: r.PostFormValue("prune") != ""}
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer func() { _ = f.Close() }()
		data, err := io.ReadAll(f)
		if err != nil {
			return view, fmt.Errorf("file: cannot read %s: %w", hdr.Filename, err)
		}
		if len(data) > 0 {
			view.Content = string(data)
			view.Name = path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return view, fmt.Errorf("file: %w", err)
	}
	if view.Name == "" {
		view.Name = "pasted.yaml"
	}
	if strings.TrimSpace(view.Content) == "" {
		return view, errors.New("content: paste an inventory file or choose one to upload")
	}
	return view, nil
}
