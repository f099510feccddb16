package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// A probe of a large host reads its assignments a page at a time (limit,
// then cursor): a million checks are a few hundred megabytes in one answer.
// The pages of one listing all come from the version of its first page,
// which the cursor names with its ETag.
const (
	assignmentsList         = "assignments"
	defaultAssignmentsLimit = 5000
	maxAssignmentsLimit     = 10_000
	// The sets the listings read are kept while pages are asked for, at
	// most maxPins of them, each until pinIdle after its last page: a set
	// shares all but what changed with the current one, so keeping one
	// costs what changed since (the whole set after a full reload).
	maxPins = 8
	pinIdle = 2 * time.Minute
)

// assignmentsQuery documents the paging of the assignments.
var assignmentsQuery = []string{
	fmt.Sprintf("limit: answer the whole list (or share) a page of at most this many checks at a time, by key (1 to %d; without it, everything at once)", maxAssignmentsLimit),
	"cursor: the next of the previous page, as given; the pages of one listing all come from the version of its first page, and a 409 says that version is no longer served: start again without cursor",
}

// assignmentsPage is the paging an assignments request asks for: none
// when limit is 0.
type assignmentsPage struct {
	limit int
	// etag and after come from the cursor: the listing it continues, and
	// the key of the last check of the previous page.
	etag, after string
	cursor      bool
}

func parseAssignmentsPage(q url.Values) (assignmentsPage, error) {
	var p assignmentsPage
	var err error
	if p.limit, err = parseLimit(q.Get("limit"), maxAssignmentsLimit); err != nil {
		return p, err
	}
	if v := q.Get("cursor"); v != "" {
		c, err := decodeCursor(assignmentsList, v, 2)
		if err != nil {
			return p, err
		}
		p.etag, p.after, p.cursor = c[0], c[1], true
		if p.limit == 0 {
			p.limit = defaultAssignmentsLimit
		}
	}
	return p, nil
}

// checkCursorCaller refuses the cursor of a member's listing from a
// location, and the other way round, before the member is seen.
func (h *machine) checkCursorCaller(r *http.Request, p assignmentsPage) error {
	named := r.Header.Get(probe.MemberHeader) != "" && h.members != nil
	if !p.cursor || named == strings.Contains(p.etag, "-m") {
		return nil
	}
	if named {
		return badRequest("cursor: it continues the assignments of a location, not of a member; start again without cursor")
	}
	return badRequest("cursor: it continues the assignments of a member, not of a location; start again without cursor")
}

func assignmentsETag(version int64, members probe.Members, named bool) string {
	if named {
		return fmt.Sprintf(`"v%d-m%s"`, version, members.Tag)
	}
	return fmt.Sprintf(`"v%d"`, version)
}

// assignmentsFirst answers the first page of the whole list (a member's
// share), and keeps the set it comes from for the next pages.
func (h *machine) assignmentsFirst(w http.ResponseWriter, r *http.Request, location string, members probe.Members,
	member string, named bool, limit int,
) {
	set, err := h.inv.Effective(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	etag := assignmentsETag(set.Version(), members, named)
	pin := h.pins.put(location, etag, set, members, h.now())
	h.servePage(w, r, location, etag, pin, member, named, "", limit)
}

// assignmentsNext answers a page after the first, from the set of the
// listing's first page. Another server may have served that page: this one
// serves the rest while its own version and members are still those.
func (h *machine) assignmentsNext(w http.ResponseWriter, r *http.Request, location, member string, named bool, p assignmentsPage) {
	pin := h.pins.get(location, p.etag, h.now())
	if pin == nil {
		set, err := h.inv.Effective(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		_, members, err := h.assignmentsTag(r.Context(), location, named)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if now := assignmentsETag(set.Version(), members, named); now != p.etag {
			h.fail(w, r, &Error{Status: http.StatusConflict, Message: fmt.Sprintf(
				"cursor: the assignments it continues (%s) are no longer served, they are now %s: start again without cursor", p.etag, now)})
			return
		}
		pin = h.pins.put(location, p.etag, set, members, h.now())
	}
	h.servePage(w, r, location, p.etag, pin, member, named, p.after, p.limit)
}

// servePage answers up to limit checks after the key after from the
// pinned set, with the listing's ETag, and the cursor of the next page
// (in next and a Link header) unless it is the last.
func (h *machine) servePage(w http.ResponseWriter, r *http.Request, location, etag string, pin *assignmentPin,
	member string, named bool, after string, limit int,
) {
	checks, more := probe.AssignmentsPage(pin.set, location, after, limit, pin.members.Alive, member)
	body := map[string]any{"location": location, "version": pin.set.Version(), "checks": checks}
	if named {
		body["members"] = pin.members.Alive
		body["handover_at"] = pin.members.HandoverAt()
	}
	if more {
		setNext(w, r, body, encodeCursor(assignmentsList, etag, checks[len(checks)-1].Key()))
	}
	w.Header().Set("ETag", etag)
	writeJSON(w, http.StatusOK, body)
}

// assignmentPins keeps the sets the listings being read come from, by
// location and ETag.
type assignmentPins struct {
	mu   sync.Mutex
	pins map[string]*assignmentPin
}

type assignmentPin struct {
	set     *inventory.EffectiveSet
	members probe.Members
	used    time.Time
}

func pinKey(location, etag string) string { return location + "\x00" + etag }

// get returns the pin of the listing, or nil when it is not kept.
func (p *assignmentPins) get(location, etag string, now time.Time) *assignmentPin {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropIdle(now)
	pin := p.pins[pinKey(location, etag)]
	if pin != nil {
		pin.used = now
	}
	return pin
}

// put keeps set and members for the listing, dropping the least recently
// used pin beyond maxPins, and returns the pin.
func (p *assignmentPins) put(location, etag string, set *inventory.EffectiveSet, members probe.Members, now time.Time) *assignmentPin {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropIdle(now)
	if p.pins == nil {
		p.pins = map[string]*assignmentPin{}
	}
	key := pinKey(location, etag)
	if pin := p.pins[key]; pin != nil && pin.set.Version() == set.Version() {
		pin.used = now
		return pin
	}
	for len(p.pins) >= maxPins {
		oldest := ""
		for k, pin := range p.pins {
			if oldest == "" || pin.used.Before(p.pins[oldest].used) {
				oldest = k
			}
		}
		delete(p.pins, oldest)
	}
	pin := &assignmentPin{set: set, members: members, used: now}
	p.pins[key] = pin
	return pin
}

func (p *assignmentPins) dropIdle(now time.Time) {
	for k, pin := range p.pins {
		if now.Sub(pin.used) > pinIdle {
			delete(p.pins, k)
		}
	}
}
