package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	effective, err := parseBool("effective", q.Get("effective"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.inv.Checks(r.Context(), inventory.CheckFilter{Asset: q.Get("asset"), Kind: q.Get("kind"), Effective: effective})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": list})
}

func (s *Server) showCheck(w http.ResponseWriter, r *http.Request) {
	list, err := s.inv.Checks(r.Context(), inventory.CheckFilter{Asset: r.PathValue("asset")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, c := range list {
		if c.ID() == pathCheckKey(r) {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "check " + pathCheckKey(r).String() + " not found"})
}

func (s *Server) createCheck(w http.ResponseWriter, r *http.Request) {
	s.saveCheck(w, r, inventory.Create, http.StatusCreated)
}

func (s *Server) updateCheck(w http.ResponseWriter, r *http.Request) {
	s.saveCheck(w, r, inventory.Update, http.StatusOK)
}

func (s *Server) saveCheck(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var c check.Check
	if err := decodeJSON(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if asset := r.PathValue("asset"); asset != "" {
		name := r.PathValue("name")
		if (c.Asset != "" && c.Asset != asset) || (c.Name != "" && c.Name != name) {
			s.writeError(w, r, badRequest("asset and name in the body differ from the URL's %s/%s", asset, name))
			return
		}
		c.Asset = asset
		if name != string(c.Kind) {
			c.Name = name
		}
	}
	saved, err := s.inv.SaveCheck(r.Context(), c, mode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (s *Server) deleteCheck(w http.ResponseWriter, r *http.Request) {
	if err := s.inv.DeleteCheck(r.Context(), r.PathValue("asset"), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rotateHeartbeatToken gives a heartbeat check a new token, shown once; the
// old one stops working.
func (s *Server) rotateHeartbeatToken(w http.ResponseWriter, r *http.Request) {
	asset, name := r.PathValue("asset"), r.PathValue("name")
	list, err := s.inv.Checks(r.Context(), inventory.CheckFilter{Asset: asset, Effective: true})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	key := check.Key{Asset: asset, Name: name}.String()
	found := false
	for _, c := range list {
		if c.Key() == key && c.Kind == check.Heartbeat {
			found = true
		}
	}
	if !found {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "heartbeat check " + key + " not found"})
		return
	}
	if _, _, err := s.heartbeats.Ensure(r.Context(), key); err != nil {
		s.writeError(w, r, err)
		return
	}
	token, err := s.heartbeats.Rotate(r.Context(), key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"check": key, "token": token, "url": "/api/v1/heartbeats/" + token})
}

// pathCheckKey is the check named by the {asset} and {name} of the path.
func pathCheckKey(r *http.Request) check.Key {
	return check.Key{Asset: r.PathValue("asset"), Name: r.PathValue("name")}
}
