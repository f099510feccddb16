package simulate

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"strings"
	"time"
)

// siteHandler answers for the sites of VM vm by Host header, or by the
// first segment of the path when the host is the VM's address: a small
// page naming the site, or what the site's faults say; 404 for any other
// site.
func (f *Farm) siteHandler(vm int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, ok := f.x.hosts[requestHost(r.Host)]
		if !ok {
			i, ok = f.x.hosts[pathKey(r.Host, r.URL.Path)]
		}
		if !ok || f.x.sites[i].vm != vm {
			writePage(w, http.StatusNotFound, "Not found", "No site "+r.Host+" on "+f.x.vms[vm].name+".")
			return
		}
		s := &f.x.sites[i]
		a := f.siteAnswer(i)
		if a.hang {
			<-r.Context().Done() // until the client gives up
			return
		}
		if a.delay > 0 {
			t := time.NewTimer(a.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if a.code != 0 {
			writePage(w, a.code, http.StatusText(a.code), s.name+": "+a.reason)
			return
		}
		writePage(w, http.StatusOK, s.name, "Welcome to "+s.name+", hosted on "+f.x.vms[vm].name+".")
	})
}

// answer is what faults make of a request to a site.
type answer struct {
	code   int // 0 answers the page
	reason string
	delay  time.Duration
	hang   bool // no answer at all
}

// siteAnswer applies the faults bearing on site i: a hanging VM or
// dependency (its database) gives no answer, as on a connection accepted
// before the hang; a stopped dependency answers 500, then the status
// fault, then a flap's down half answers 503; the site's and its VM's
// slowness add up.
func (f *Farm) siteAnswer(i int32) answer {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var a answer
	if len(f.faults) == 0 {
		return a
	}
	s := &f.x.sites[i]
	if f.anyHungLocked(f.x.vms[s.vm].ancestors) || (s.deps >= 0 && f.anyHungLocked(f.x.depSets[s.deps])) {
		a.hang = true
		return a
	}
	vm := f.x.vms[s.vm].name
	for _, name := range []string{s.name, vm} {
		if af := f.faults[faultKey{FaultSlow, name}]; af != nil {
			a.delay += af.Delay
		}
	}
	if s.deps >= 0 && f.anyStoppedLocked(f.x.depSets[s.deps]) {
		a.code, a.reason = http.StatusInternalServerError, "error establishing a database connection"
	} else if af := f.faults[faultKey{FaultStatus, s.name}]; af != nil {
		a.code, a.reason = af.Code, "status set by a fault"
	} else if af := f.faults[faultKey{FaultFlap, s.name}]; af != nil && af.flapDown(time.Now()) {
		a.code, a.reason = http.StatusServiceUnavailable, "flapping"
	}
	return a
}

// requestHost returns the lower-case host of a Host header, without port.
func requestHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(host)
}

// writePage writes a small HTML page with the given status.
func writePage(w http.ResponseWriter, code int, title, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!doctype html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
