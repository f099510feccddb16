package web

import (
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
)

// componentsView is the page of public components: the status page's
// list in its order, with the assets each covers, and a form to add one
// or change the one being edited.
type componentsView struct {
	Components []componentRow
	Form       componentFields
	// Editing is the id of the component being edited ("" to add).
	Editing  string
	Problems []problem
	Done     string
	Subject  string
	CanEdit  bool
}

// componentRow is a component with the assets it covers now.
type componentRow struct {
	ID string
	inventory.Component
	Covered []string
	// More is how many covered assets are not listed.
	More int
}

// componentFields is the component form as typed.
type componentFields struct {
	Name, NameEN, Group, GroupEN, Description, DescriptionEN string
	CoversKind, CoversLabel, Assets                          string
}

// coveredShown is how many covered assets a row names before "and N more".
const coveredShown = 12

var componentDone = map[string]string{"added": "CfgComponentAdded", "saved": "CfgComponentSaved", "deleted": "CfgComponentDeleted"}

func (h *adminConfig) showComponents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.renderComponents(w, r, http.StatusOK, componentsView{Done: componentDone[q.Get("done")], Subject: q.Get("id")})
}

func (h *adminConfig) showComponent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.d.Inventory.Component(r.Context(), id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.renderComponents(w, r, http.StatusOK, componentsView{Form: componentFieldsOf(c), Editing: id})
}

func (h *adminConfig) renderComponents(w http.ResponseWriter, r *http.Request, code int, view componentsView) {
	ctx := r.Context()
	list, err := h.d.Inventory.Components(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	covered, err := h.d.Inventory.ComponentCoverage(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, c := range list {
		row := componentRow{ID: c.ID(), Component: c, Covered: covered[c.ID()]}
		if n := len(row.Covered); n > coveredShown {
			row.Covered, row.More = row.Covered[:coveredShown], n-coveredShown
		}
		view.Components = append(view.Components, row)
	}
	view.CanEdit = canChange(r, auth.PermInventory)
	h.renderPage(w, r, code, "admin_components", h.text(viewerOf(r).Lang, "CfgComponentsTitle"), view)
}

func componentFieldsOf(c inventory.Component) componentFields {
	f := componentFields{Name: c.Name, NameEN: c.NameEN, Group: c.Group, GroupEN: c.GroupEN, Description: c.Description,
		DescriptionEN: c.DescriptionEN, Assets: strings.Join(c.Assets, "\n")}
	if c.Covers != nil {
		f.CoversKind, f.CoversLabel = c.Covers.Kind, c.Covers.Label
	}
	return f
}

// readComponentForm reads the posted form as the component the API takes.
func readComponentForm(r *http.Request) (inventory.Component, componentFields) {
	f := componentFields{Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"), Group: r.PostFormValue("group"),
		GroupEN: r.PostFormValue("group_en"), Description: r.PostFormValue("description"), DescriptionEN: r.PostFormValue("description_en"),
		CoversKind: strings.TrimSpace(r.PostFormValue("covers_kind")), CoversLabel: strings.TrimSpace(r.PostFormValue("covers_label")),
		Assets: r.PostFormValue("assets")}
	c := inventory.Component{Name: strings.TrimSpace(f.Name), NameEN: strings.TrimSpace(f.NameEN), Group: strings.TrimSpace(f.Group),
		GroupEN: strings.TrimSpace(f.GroupEN), Description: strings.TrimSpace(f.Description), DescriptionEN: strings.TrimSpace(f.DescriptionEN),
		Assets: lines(f.Assets, true)}
	if f.CoversKind != "" || f.CoversLabel != "" {
		c.Covers = &inventory.Selector{Kind: f.CoversKind, Label: f.CoversLabel}
	}
	return c, f
}

// addComponent adds a public component, placed last, as POST
// /api/v1/components does.
func (h *adminConfig) addComponent(w http.ResponseWriter, r *http.Request) {
	c, fields := readComponentForm(r)
	saved, err := h.d.Inventory.SaveComponent(r.Context(), c, inventory.Create)
	if err != nil {
		h.refuseComponent(w, r, err, fields, "")
		return
	}
	seeOther(w, r, "/staff/admin/components?done=added&id="+saved.ID())
}

// saveComponent replaces a component in its place, as PUT
// /api/v1/components/{id} does: its name must keep its id.
func (h *adminConfig) saveComponent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, fields := readComponentForm(r)
	if c.Name != "" && c.ID() != id {
		h.renderComponents(w, r, http.StatusBadRequest, componentsView{Form: fields, Editing: id, Problems: []problem{{Field: "name",
			Message: "the name " + c.Name + " gives the id " + c.ID() + ", not " + id + ": a new name with a new id is a new component (add it, then delete this one)"}}})
		return
	}
	saved, err := h.d.Inventory.SaveComponent(r.Context(), c, inventory.Update)
	if err != nil {
		h.refuseComponent(w, r, err, fields, id)
		return
	}
	seeOther(w, r, "/staff/admin/components?done=saved&id="+saved.ID())
}

func (h *adminConfig) refuseComponent(w http.ResponseWriter, r *http.Request, err error, fields componentFields, editing string) {
	problems, status, ok := formProblems(err)
	if !ok {
		h.failPage(w, r, err)
		return
	}
	h.renderComponents(w, r, status, componentsView{Form: fields, Editing: editing, Problems: problems})
}

// deleteComponent removes a component, as DELETE /api/v1/components/{id}
// does.
func (h *adminConfig) deleteComponent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.d.Inventory.DeleteComponent(r.Context(), id); err != nil {
		h.failPage(w, r, err)
		return
	}
	seeOther(w, r, "/staff/admin/components?done=deleted&id="+id)
}
