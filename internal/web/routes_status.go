package web

import (
	"time"

	"github.com/vigie/vigie/internal/status"
)

// pages serves the public side: the status page, its feeds, calendar and
// Statuspage-compatible documents, everyone's and each customer's behind
// their secret URL, all from documents rendered once per change.
type pages struct {
	responder
	pub      *status.Publisher
	stopping <-chan struct{}
	// streams holds one slot per live-update stream open.
	streams chan struct{}
	now     func() time.Time
}

func (s *Server) statusRoutes(rt *router) {
	d := s.d
	if d.Status == nil {
		return
	}
	h := &pages{responder: s.responder, pub: d.Status, stopping: d.Stopping, now: d.Now, streams: make(chan struct{}, d.MaxStreams)}
	page := func(summary string) doc {
		return doc{summary: summary, query: []string{"lang: fr or en, remembered in a cookie"}, anyQuery: true}
	}
	rt.handle("GET /{$}", publicPage, classAPI, page("The status page, in the reader's language (cookie, then Accept-Language)"), h.showPublic)
	rt.handle("GET /en/{path...}", publicPage, classAPI, page("The status page and its documents in English"), h.showPublic)
	rt.handle("GET /incidents/{path...}", publicPage, classAPI, page("The page of one public incident, with its timeline and post-mortem"), h.showPublic)
	rt.handle("GET /history/{path...}", publicPage, classAPI, page("The incidents and maintenance of one month"), h.showPublic)
	rt.handle("GET /feed.atom", publicPage, classAPI, page("Incidents and maintenance as an Atom feed"), h.showPublic)
	rt.handle("GET /feed.rss", publicPage, classAPI, page("Incidents and maintenance as an RSS feed"), h.showPublic)
	rt.handle("GET /maintenance.ics", publicPage, classAPI, page("Maintenance windows as an iCalendar"), h.showPublic)
	rt.handle("GET /static/{path...}", publicPage, classAPI, page("The status page's style sheet and script"), h.showPublic)
	rt.handle("GET /api/v2/{path...}", publicPage, classAPI, page("Statuspage-compatible documents: summary.json, status.json, components.json, incidents.json, …"), h.showPublic)
	rt.handle("GET /events", publicPage, classLongPoll, doc{summary: "Server-sent events: the page's version at each change (a minute per connection; browsers reconnect)", anyQuery: true}, h.streamPublic)
	rt.handle("GET /c/{token}/{path...}", publicPage, classAPI, page("A customer's own status page and documents, behind the secret of their URL"), h.showCustomer)
}
