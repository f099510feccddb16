package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
)

//go:embed templates/*.html
var templates embed.FS

var homePage = template.Must(template.ParseFS(templates, "templates/home.html"))

// homeComponent is a line of the first screen's table.
type homeComponent struct {
	Name, State, Lag string
}

// showHome answers / with a page naming the server, its version and
// health, and where the API reference is: a first screen, never a bare 404.
func (h *public) showHome(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Version, Problem string
		Ready, Leader    bool
		Components       []homeComponent
	}{Version: h.version, Ready: true}
	if h.health != nil {
		rep := h.health.Ready(r.Context())
		data.Ready, data.Leader = rep.Ready, rep.Leader
		data.Problem = strings.Join(rep.Problems, "; ")
		if !rep.Database.OK {
			data.Problem = "The database does not answer: " + rep.Database.Error
		}
		for name, st := range rep.Components {
			lag := "not yet"
			if st.LastOK != nil {
				lag = fmt.Sprintf("%.1f s ago", st.LagSeconds)
			}
			data.Components = append(data.Components, homeComponent{Name: name, State: st.State, Lag: lag})
		}
		slices.SortFunc(data.Components, func(a, b homeComponent) int { return strings.Compare(a.Name, b.Name) })
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !data.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if err := homePage.Execute(w, data); err != nil {
		h.log.WarnContext(r.Context(), "home page", "err", err)
	}
}
