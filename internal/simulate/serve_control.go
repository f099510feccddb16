package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Bounds of the control API.
const (
	maxFaultBody    = 4 << 10
	controlTimeout  = 10 * time.Second
	shutdownTimeout = 5 * time.Second
)

// faultJSON is a fault as the control API reads and writes it, durations
// spelled like "2s".
type faultJSON struct {
	Fault  FaultKind `json:"fault"`
	Target string    `json:"target"`
	Code   int       `json:"code,omitempty"`
	Delay  string    `json:"delay,omitempty"`
	Period string    `json:"period,omitempty"`
	Days   *int      `json:"days,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// SiteInfo describes a served site for the control API and the CLI.
type SiteInfo struct {
	Site  string `json:"site"`
	URL   string `json:"url"`
	VM    string `json:"vm"`
	HTTP  string `json:"http"`  // the VM's HTTP listener
	HTTPS string `json:"https"` // the VM's HTTPS listener
}

// Handler returns the control API: POST /faults sets a fault from
// {"fault":"stop-vm","target":"web-003"} (with code, delay, period or days
// as the kind needs), GET /faults lists them, DELETE /faults clears them
// all or, given ?fault=&target=, one; GET /sites?vm= lists the sites served
// and their listeners.
func (f *Farm) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", f.listFaults)
	mux.HandleFunc("POST /faults", f.addFault)
	mux.HandleFunc("DELETE /faults", f.clearFaults)
	mux.HandleFunc("GET /sites", f.listSites)
	return mux
}

// ServeControl serves the control API on addr, which must be a loopback
// address, until ctx is done.
func (f *Farm) ServeControl(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("farm control: %w", err)
	}
	if !loopbackHost(host) {
		return fmt.Errorf("farm control: %s is not a loopback address", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("farm control: %w", err)
	}
	srv := &http.Server{
		Handler:           http.TimeoutHandler(f.Handler(), controlTimeout, "control request timed out"),
		ReadHeaderTimeout: controlTimeout,
		ErrorLog:          f.errorLog,
	}
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	defer stop()
	f.log.Info("farm control listening", "addr", l.Addr().String())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("farm control: %w", err)
	}
	return nil
}

func (f *Farm) listFaults(w http.ResponseWriter, _ *http.Request) {
	faults := f.Faults()
	out := make([]faultJSON, len(faults))
	for i, ft := range faults {
		out[i] = toJSON(ft)
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Farm) addFault(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	var in faultJSON
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("read fault: %w", err))
		return
	}
	ft, err := fromJSON(in)
	if err == nil {
		err = f.Apply(ft)
	}
	if err != nil {
		writeError(w, errorStatus(err), err)
		return
	}
	for _, got := range f.Faults() {
		if got.Kind == ft.Kind && got.Target == ft.Target {
			writeJSON(w, http.StatusCreated, toJSON(got))
			return
		}
	}
	writeJSON(w, http.StatusCreated, toJSON(ft))
}

func (f *Farm) clearFaults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, target := FaultKind(q.Get("fault")), q.Get("target")
	var err error
	switch {
	case kind == "" && target == "":
		err = f.Reset()
	case kind == "" || target == "":
		err = fmt.Errorf("%w: give both fault and target, or neither", ErrInvalidFault)
	default:
		err = f.Clear(kind, target)
	}
	if err != nil {
		writeError(w, errorStatus(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *Farm) listSites(w http.ResponseWriter, r *http.Request) {
	sites, err := f.Sites(r.URL.Query().Get("vm"))
	if err != nil {
		writeError(w, errorStatus(err), err)
		return
	}
	writeJSON(w, http.StatusOK, sites)
}

// Sites lists the sites a VM serves, or every served site when vm is "",
// in inventory order.
func (f *Farm) Sites(vm string) ([]SiteInfo, error) {
	var ids []int32
	if vm != "" {
		i, ok := f.x.vmNames[vm]
		if !ok {
			return nil, fmt.Errorf("sites of %s: %w: no vm serving sites named %q", vm, ErrUnknownTarget, vm)
		}
		ids = f.x.vms[i].sites
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	info := func(i int32) SiteInfo {
		s := &f.x.sites[i]
		v := f.x.vms[s.vm]
		return SiteInfo{Site: s.name, URL: s.url, VM: v.name, HTTP: v.httpAddr, HTTPS: v.httpsAddr}
	}
	if vm == "" {
		out := make([]SiteInfo, len(f.x.sites))
		for i := range out {
			out[i] = info(int32(i))
		}
		return out, nil
	}
	out := make([]SiteInfo, len(ids))
	for j, i := range ids {
		out[j] = info(i)
	}
	return out, nil
}

func toJSON(ft Fault) faultJSON {
	out := faultJSON{Fault: ft.Kind, Target: ft.Target, Code: ft.Code, Since: ft.Since}
	if ft.Delay > 0 {
		out.Delay = ft.Delay.String()
	}
	if ft.Period > 0 {
		out.Period = ft.Period.String()
	}
	if ft.Kind == FaultExpireCert {
		out.Days = &ft.Days
	}
	return out
}

func fromJSON(in faultJSON) (Fault, error) {
	ft := Fault{Kind: in.Fault, Target: in.Target, Code: in.Code}
	var err error
	if in.Delay != "" {
		if ft.Delay, err = time.ParseDuration(in.Delay); err != nil {
			return ft, fmt.Errorf("%w: delay: %w", ErrInvalidFault, err)
		}
	}
	if in.Period != "" {
		if ft.Period, err = time.ParseDuration(in.Period); err != nil {
			return ft, fmt.Errorf("%w: period: %w", ErrInvalidFault, err)
		}
	}
	if in.Days != nil {
		ft.Days = *in.Days
	} else if ft.Kind == FaultExpireCert {
		return ft, fmt.Errorf("%w: expire-cert needs days", ErrInvalidFault)
	}
	return ft, nil
}

// errorStatus maps a fault error to an HTTP status.
func errorStatus(err error) int {
	switch {
	case errors.Is(err, ErrUnknownTarget):
		return http.StatusNotFound
	case errors.Is(err, ErrInvalidFault):
		return http.StatusBadRequest
	case errors.Is(err, ErrFarmClosed):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
