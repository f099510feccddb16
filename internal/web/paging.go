package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
)

// Limits of the pages of the large lists (states, checks): a page is cheap
// whatever the size of the host, and a full export streams.
const (
	defaultListLimit = 1000
	maxListLimit     = 10000
)

// streamBatch is how many rows a stream reads from the store at a time;
// tests make it small to cross batches with few rows.
var streamBatch atomic.Int64

func init() { streamBatch.Store(1000) }

// pagingQuery is what every paged large list takes besides its filters.
var pagingQuery = []string{
	"limit: at most this many (default %d, at most %d)",
	"cursor: the next of the previous page, as given",
	"format: json (default, a page) or ndjson (every row from the cursor on, one JSON object a line, streamed)",
}

// pageDocs returns the paging parameters of a list whose pages hold by
// default def rows and at most most.
func pageDocs(def, most int) []string {
	out := make([]string, len(pagingQuery))
	copy(out, pagingQuery)
	out[0] = fmt.Sprintf(out[0], def, most)
	return out
}

// pageQuery is the paging a request asks for.
type pageQuery struct {
	limit int
	// cursor is the decoded cursor: the fields of the last row of the
	// previous page; nil from the beginning.
	cursor []string
	stream bool
}

// parsePage reads limit, cursor and format for the list named list, whose
// cursors carry fields strings.
func parsePage(q url.Values, list string, fields, def, most int) (pageQuery, error) {
	p := pageQuery{limit: def}
	switch f := q.Get("format"); f {
	case "", "json":
	case "ndjson":
		p.stream = true
	default:
		return p, badRequest("format: want json or ndjson, got %q", f)
	}
	if q.Get("limit") != "" && p.stream {
		return p, badRequest("limit: not with format=ndjson, which streams every row")
	}
	n, err := parseLimit(q.Get("limit"), most)
	if err != nil {
		return p, err
	}
	if n > 0 {
		p.limit = n
	}
	if v := q.Get("cursor"); v != "" {
		c, err := decodeCursor(list, v, fields)
		if err != nil {
			return p, err
		}
		p.cursor = c
	}
	return p, nil
}

// parseLimit reads a limit parameter v, from 1 to most; 0 when absent.
func parseLimit(v string, most int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("limit: want a number from 1 to %d, got %q", most, v)
	}
	return n, nil
}

// setNext gives body the cursor c of the next page, in next and in a Link
// header.
func setNext(w http.ResponseWriter, r *http.Request, body map[string]any, c string) {
	body["next"] = c
	w.Header().Set("Link", "<"+nextURL(r, c)+`>; rel="next"`)
}

// encodeCursor writes the position fields in list as an opaque cursor.
func encodeCursor(list string, fields ...string) string {
	raw, _ := json.Marshal(append([]string{list}, fields...)) // strings always encode
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor reads a cursor of list written by encodeCursor; anything
// else (edited, cut, another list's) is a 400 naming the parameter.
func decodeCursor(list, s string, fields int) ([]string, error) {
	bad := badRequest("cursor: not a cursor of this list (pass the next of the previous page as given)")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var parts []string
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != fields+1 || parts[0] != list {
		return nil, bad
	}
	return parts[1:], nil
}

// fetchPage reads up to limit rows after cursor (nil: from the start) and
// returns the cursor of the last one when more follow, nil on the last page.
type fetchPage[T any] func(ctx context.Context, cursor []string, limit int) ([]T, []string, error)

// servePage answers the page p asks for as {name: [...], "next": cursor}
// with a Link header to the next page, next and Link absent on the last
// page; with format=ndjson, every row from the cursor on, streamed.
func servePage[T any](h *api, w http.ResponseWriter, r *http.Request, name string, p pageQuery, fetch fetchPage[T]) {
	if p.stream {
		streamRows(h, w, r, p.cursor, fetch)
		return
	}
	list, next, err := fetch(r.Context(), p.cursor, p.limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := map[string]any{name: list}
	if next != nil {
		setNext(w, r, body, encodeCursor(name, next...))
	}
	writeJSON(w, http.StatusOK, body)
}

// nextURL is the request's own address with cursor set to c, for Link.
func nextURL(r *http.Request, c string) string {
	q := r.URL.Query()
	q.Set("cursor", c)
	q.Del("before") // the signals' older cursor; cursor replaces it
	return r.URL.Path + "?" + q.Encode()
}

// streamRows writes every row from cursor on as NDJSON, reading the store
// a batch at a time and flushing after each, so that memory stays that of
// one batch whatever the size of the list. An error before the first row
// is an ordinary error answer; after it, the connection is cut, so that
// the client sees a truncated stream rather than a short list.
func streamRows[T any](h *api, w http.ResponseWriter, r *http.Request, cursor []string, fetch fetchPage[T]) {
	ctx := r.Context()
	list, next, err := fetch(ctx, cursor, int(streamBatch.Load()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		for i := range list {
			if err := enc.Encode(list[i]); err != nil {
				return // the client went away
			}
		}
		if err := rc.Flush(); (err != nil && !errors.Is(err, http.ErrNotSupported)) || next == nil {
			return
		}
		if list, next, err = fetch(ctx, next, int(streamBatch.Load())); err != nil {
			h.log.WarnContext(ctx, "stream cut", "route", routeOf(r), "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}
