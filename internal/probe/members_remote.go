package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// A Remote is a member of its location: it names itself on every call and
// calls at least every heartbeat, and runs only its share of the location's
// checks. When the members change, the server dates the new shares
// (handover_at, a moment every member learns of in time): until then each
// member keeps running its former share, from then on its new one, each
// run judged by the slot it belongs to. As every check runs at the phase of
// its interval its key gives (offsetOf), a check moving between members
// runs at its usual slot, by one of them only.

// phaseHandedOver marks a run skipped because its slot belongs to another
// member; such a result is never reported.
const phaseHandedOver check.Phase = "handed-over"

// handover is a change of shares under way.
type handover struct {
	// at is when the new share takes effect; prev are the checks run for
	// slots before it (nil when no change is under way).
	at   time.Time
	prev map[string]*check.Check
	gen  uint64
}

// memberState is the Remote's part as a member.
type memberState struct {
	hello   Hello
	applyMu sync.Mutex // keeps share changes, and their Set calls, in order
	ho      handover   // guarded by Remote.mu
	// soon holds the checks a delta just changed, whose next run comes
	// at once rather than at a slot: it is this member's if the check is
	// in its share now (guarded by Remote.mu).
	soon     map[string]bool
	lastCall atomicTime // when the last call to the server began
}

var memberNameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// defaultMemberName is the host's name and the process id.
func defaultMemberName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "probe"
	}
	name := memberNameUnsafe.ReplaceAllString(host, "-") + "-" + strconv.Itoa(os.Getpid())
	for len(name) > 0 && (name[0] == '.' || name[0] == '-' || name[0] == '_') {
		name = name[1:]
	}
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	return name
}

// setMember names the request's caller.
func (r *Remote) setMember(req *http.Request) {
	req.Header.Set(MemberHeader, r.member.hello.String())
	r.member.lastCall.Store(time.Now())
}

// Member is how this probe names itself to the server.
func (r *Remote) Member() Hello { return r.member.hello }

// assign takes the checks of a new answer, the share of this member from
// at on.
func (r *Remote) assign(list []*check.Check, at time.Time) {
	r.member.applyMu.Lock()
	defer r.member.applyMu.Unlock()
	now := time.Now()
	byKey := make(map[string]*check.Check, len(list))
	for _, c := range list {
		byKey[c.Key()] = c
	}
	r.mu.Lock()
	ho := &r.member.ho
	ho.gen++
	// What this member runs now is the former share until the change under
	// way takes effect, then the share it brought.
	var cur map[string]*check.Check
	if ho.prev != nil && now.Before(ho.at) {
		cur = ho.prev
	} else {
		cur = r.checks
	}
	r.checks = byKey
	for key := range r.trackers {
		if byKey[key] == nil {
			delete(r.trackers, key)
		}
	}
	if !at.After(now) {
		ho.at, ho.prev = at, nil
		r.mu.Unlock()
		r.sched.Set(list)
		return
	}
	ho.at, ho.prev = at, cur
	union := append([]*check.Check(nil), list...)
	grace := time.Duration(0)
	for key, c := range cur {
		if byKey[key] == nil {
			union = append(union, c)
			grace = max(grace, timeoutOf(c))
		}
	}
	gen := ho.gen
	r.mu.Unlock()
	r.sched.Set(union)
	// The checks handed to other members stay until their runs begun
	// before at have had time to end: none begins after at.
	time.AfterFunc(at.Sub(now)+grace, func() { r.finishHandover(gen) })
	r.opts.Logger.Info("remote probe: share changes", "at", at, "checks", len(list), "until_then", len(cur))
}

// finishHandover drops the checks handed to other members, unless a newer
// change came since.
func (r *Remote) finishHandover(gen uint64) {
	r.member.applyMu.Lock()
	defer r.member.applyMu.Unlock()
	r.mu.Lock()
	if r.member.ho.gen != gen {
		r.mu.Unlock()
		return
	}
	r.member.ho.prev = nil
	list := make([]*check.Check, 0, len(r.checks))
	for _, c := range r.checks {
		list = append(list, c)
	}
	r.mu.Unlock()
	r.sched.Set(list)
}

// owns reports whether this member runs the check c now: during a change,
// by the slot the run belongs to (the last one of c's phase, the scheduler
// starting each run at its slot).
func (r *Remote) owns(c *check.Check, now time.Time) bool {
	key := c.Key()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.member.soon[key] {
		delete(r.member.soon, key)
		return r.checks[key] != nil
	}
	ho := r.member.ho
	if ho.prev == nil {
		return true
	}
	iv := baseInterval(c)
	slot := nextSlot(now, iv, offsetOf(key, iv)).Add(-iv)
	if slot.Before(ho.at) {
		return ho.prev[key] != nil
	}
	return r.checks[key] != nil
}

// run runs c if its slot is this member's.
func (r *Remote) run(ctx context.Context, c *check.Check) check.Result {
	if !r.owns(c, time.Now()) {
		return check.Result{Phase: phaseHandedOver}
	}
	return r.opts.Engine.Run(ctx, c)
}

// heartbeatLoop calls the server at least every heartbeat, so that this
// member stays alive while it has nothing to send.
func (r *Remote) heartbeatLoop(ctx context.Context) {
	every := r.member.hello.Heartbeat
	tick := time.NewTicker(every / 2)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if time.Since(r.member.lastCall.Load()) < every/2 {
			continue
		}
		if err := r.heartbeat(ctx); err != nil && ctx.Err() == nil {
			r.opts.Logger.Warn("remote probe: heartbeat", "err", err)
		}
	}
}

// heartbeat sends an empty batch of results: it takes nothing and says
// the member is alive.
func (r *Remote) heartbeat(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := r.postResults(ctx, []Record{})
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// atomicTime is a time several goroutines read and write.
type atomicTime struct {
	mu sync.Mutex
	t  time.Time
}

func (a *atomicTime) Store(t time.Time) {
	a.mu.Lock()
	a.t = t
	a.mu.Unlock()
}

func (a *atomicTime) Load() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.t
}
