package web

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/probe"
)

// maxResultsBody bounds a results batch once decompressed.
const maxResultsBody = 32 << 20

// maxAssignmentsWait is the longest an assignments poll waits for a change.
const maxAssignmentsWait = 60 * time.Second

func callerLocation(r *http.Request) string {
	name, _ := r.Context().Value(locationKey).(string)
	return name
}

// probeAssignments returns the checks of the calling location. With
// If-None-Match set to the current ETag it waits (up to ?wait=, at most
// 60 s) for the inventory to change, then answers 304 if it did not. A
// probe sending "Prefer: delta" gets only what changed since its ETag's
// version when the server still knows (assignmentsDelta).
//
// A probe naming itself in the Vigie-Member header is one member of its
// location: it gets its share of the checks among the members alive
// (rendezvous hashing), effective from handover_at, and its wait ends
// when the members change too. A change of members sends the whole share.
//
// With limit, the whole list (share) comes a page at a time, each page
// naming the next (machine_pages.go); a delta is never cut in pages (it
// holds at most what the effective set lists of its changes).
func (h *machine) probeAssignments(w http.ResponseWriter, r *http.Request) {
	page, err := parseAssignmentsPage(r.URL.Query())
	if err == nil {
		err = h.checkCursorCaller(r, page)
	}
	if err != nil {
		h.fail(w, r, err) // before the member is seen: a bad request changes nothing
		return
	}
	location := callerLocation(r)
	hello, named, err := h.callerMember(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	wait := time.Duration(0)
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			h.fail(w, r, badRequest("wait: want a duration such as 30s, got %q", v))
			return
		}
		wait = min(d, maxAssignmentsWait)
	}
	if err := h.inv.LoadGraph(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	if page.cursor {
		h.assignmentsNext(w, r, location, hello.ID, named, page)
		return
	}
	etag := func() string {
		tag, _, err := h.assignmentsTag(r.Context(), location, named)
		if err != nil {
			return "" // answered below, with the error
		}
		return tag
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag() {
		deadline := time.NewTimer(wait)
		defer deadline.Stop()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
	waiting:
		for inm == etag() {
			select {
			case <-r.Context().Done():
				return
			case <-h.stopping:
				// The server is shutting down: answer now, the probe
				// polls the next server (or this one again) at once.
				break waiting
			case <-deadline.C:
				break waiting
			case <-tick.C:
			}
		}
		if inm == etag() {
			w.Header().Set("ETag", inm)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	_, members, err := h.assignmentsTag(r.Context(), location, named)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if since, ok := assignmentsSince(r, members.Tag, named); ok &&
		h.assignmentsDelta(w, r, location, since, members, hello.ID, named) {
		return
	}
	if page.limit > 0 {
		h.assignmentsFirst(w, r, location, members, hello.ID, named, page.limit)
		return
	}
	version, checks, err := probe.Assignments(r.Context(), h.inv, location)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !named {
		w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, version))
		writeJSON(w, http.StatusOK, map[string]any{"location": location, "version": version, "checks": checks})
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"v%d-m%s"`, version, members.Tag))
	writeJSON(w, http.StatusOK, map[string]any{"location": location, "version": version,
		"checks": probe.ShareOf(checks, members.Alive, hello.ID), "of": len(checks),
		"members": members.Alive, "handover_at": members.HandoverAt()})
}

// assignmentsSince returns the version a probe that takes deltas (it sends
// "Prefer: delta", which a server without them ignores) already has, from
// its If-None-Match: "v<version>", or for a member "v<version>-m<members>",
// which counts only while the members are still those (tag).
func assignmentsSince(r *http.Request, tag string, named bool) (int64, bool) {
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get("Prefer")), "delta") {
		return 0, false
	}
	inm := r.Header.Get("If-None-Match")
	if !strings.HasPrefix(inm, `"v`) || !strings.HasSuffix(inm, `"`) || len(inm) < 4 {
		return 0, false
	}
	v, rest, _ := strings.Cut(inm[2:len(inm)-1], "-m")
	if named != (rest != "") || named && rest != tag {
		return 0, false // the members changed: the whole share
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// assignmentsDelta answers with what changed for location since the
// version the probe has: {version, delta: true, changed, removed}, the
// changed checks cut to the member's share for a member. False when the
// server no longer knows that far back (or cannot tell): the caller sends
// the whole list.
func (h *machine) assignmentsDelta(w http.ResponseWriter, r *http.Request, location string, since int64,
	members probe.Members, member string, named bool,
) bool {
	set, err := h.inv.Effective(r.Context())
	if err != nil {
		return false // the whole list reports it
	}
	changed, removed, ok := probe.AssignmentsDelta(set, location, since)
	if !ok {
		return false
	}
	etag := fmt.Sprintf(`"v%d"`, set.Version())
	if named {
		// A check's owner depends on its key and the members alone: with
		// the same members, a changed check stays with its owner.
		changed = probe.ShareOf(changed, members.Alive, member)
		etag = fmt.Sprintf(`"v%d-m%s"`, set.Version(), members.Tag)
	}
	w.Header().Set("ETag", etag)
	writeJSON(w, http.StatusOK, map[string]any{"location": location, "version": set.Version(), "delta": true,
		"changed": changed, "removed": removed})
	return true
}

// probeResults takes a batch of results, gzip-compressed or not, as JSON
// or in the binary form of probe.ResultsMediaType, and answers with the last sequence number taken: the probe may then forget
// everything up to it.
//
// Results for checks not assigned to the location are refused, counted,
// and acknowledged with the rest (the probe must not send them again);
// "refused" says how many. Any member of the location may send the
// results of any of its checks (shares move while results travel). An
// empty batch from a member is its heartbeat: it takes nothing.
func (h *machine) probeResults(w http.ResponseWriter, r *http.Request) {
	taken, err := h.takeResults(w, r)
	h.count("probe-results", err)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ack": strconv.FormatUint(taken.Ack, 10), "refused": taken.Refused})
}

func (h *machine) takeResults(w http.ResponseWriter, r *http.Request) (probe.Taken, error) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxResultsBody)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return probe.Taken{}, badRequest("body is not gzip: %v", err)
		}
		defer func() { _ = zr.Close() }()
		// Bounded once decompressed too, with the same error: a body that
		// inflates past the bound is refused whole, not read cut short.
		body = http.MaxBytesReader(w, zr, maxResultsBody)
	}
	var batch resultsBatch
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == probe.ResultsMediaType {
		data, err := io.ReadAll(body)
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return probe.Taken{}, fmt.Errorf("read results: %w", err) // a 413
		} else if err != nil {
			return probe.Taken{}, badRequest("body: %v", err)
		}
		if batch.Epoch, batch.Records, err = probe.DecodeResults(data); err != nil {
			return probe.Taken{}, badRequest("%v", err)
		}
	} else if err := decodeStrict(body, &batch); err != nil {
		return probe.Taken{}, err
	}
	for i := 1; i < len(batch.Records); i++ {
		if batch.Records[i].Seq <= batch.Records[i-1].Seq {
			return probe.Taken{}, badRequest("records: sequence numbers must increase (record %d)", i)
		}
	}
	if batch.Epoch == "" || len(batch.Epoch) > 64 {
		return probe.Taken{}, badRequest("epoch: want the probe buffer's id")
	}
	hello, named, err := h.callerMember(r)
	if err != nil {
		return probe.Taken{}, err
	}
	if named && hello.ID != batch.Epoch {
		return probe.Taken{}, badRequest("epoch: %q is not the member named in %s (%q)", batch.Epoch, probe.MemberHeader, hello.ID)
	}
	if named && len(batch.Records) == 0 {
		return probe.Taken{}, nil
	}
	// The acknowledgement comes only once the results are committed: the
	// probe forgets what it was acknowledged.
	return h.results.TakeBatch(r.Context(), callerLocation(r), batch.Epoch, batch.Records, h.now())
}

// agentFacts takes the facts of the host the calling agent is bound to
// and answers with the compliance violations found. Facts naming another
// asset are refused (403) and nothing is recorded.
func (h *machine) agentFacts(w http.ResponseWriter, r *http.Request) {
	asset := callerAsset(r)
	var body probe.AgentFacts
	err := decodeJSON(w, r, &body)
	var violations []facts.Violation
	if err == nil {
		violations, err = h.compliance.ReportAgent(r.Context(), asset, body)
	}
	h.count("facts", err)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"asset": asset, "violations": violations})
}

func callerAsset(r *http.Request) string {
	asset, _ := r.Context().Value(agentKey).(string)
	return asset
}

// resultsBatch is the body of a batch of results from a remote probe.
type resultsBatch struct {
	Epoch   string         `json:"epoch"`
	Records []probe.Record `json:"records"`
}
