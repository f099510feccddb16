package incident

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// ErrPublished is returned when changing a published post-mortem in any way
// other than showing or hiding it.
var ErrPublished = errors.New("post-mortem is published")

// InvalidPostMortemError is a post-mortem refused for the problems of its
// fields; when it wraps ErrNotReady, they are what stands in the way of
// publishing.
type InvalidPostMortemError struct {
	Fields []FieldError
	Err    error
}

func (e *InvalidPostMortemError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	what := "invalid post-mortem"
	if e.Err != nil {
		what = e.Err.Error()
	}
	return what + ": " + strings.Join(msgs, "; ")
}

func (e *InvalidPostMortemError) Unwrap() error { return e.Err }

// PostMortemStore keeps the post-mortems of incidents.
type PostMortemStore struct {
	db        *store.DB
	incidents *Store
	now       func() time.Time
}

// NewPostMortemStore returns the post-mortem store over db; incidents is
// where it reads what it drafts from.
func NewPostMortemStore(db *store.DB, incidents *Store) *PostMortemStore {
	return &PostMortemStore{db: db, incidents: incidents, now: time.Now}
}

// Get returns the post-mortem of an incident, with its times in zone. The
// first access drafts it from the incident and its timeline and stores it.
func (s *PostMortemStore) Get(ctx context.Context, id int64, zone *time.Location) (PostMortem, error) {
	pm, _, err := s.load(ctx, s.db, id)
	if errors.Is(err, store.ErrNotFound) {
		pm, err = s.draft(ctx, id, zone)
	}
	if err != nil {
		return PostMortem{}, err
	}
	pm.UpdatedAt = pm.UpdatedAt.In(zone)
	return pm, nil
}

// draft writes the first post-mortem of an incident; when another request
// drafted it meanwhile, that one is kept and returned.
func (s *PostMortemStore) draft(ctx context.Context, id int64, zone *time.Location) (PostMortem, error) {
	inc, err := s.incidents.Get(ctx, id)
	if err != nil {
		return PostMortem{}, err
	}
	events, err := s.incidents.Events(ctx, id)
	if err != nil {
		return PostMortem{}, err
	}
	pm := Draft(&inc, events, zone)
	pm.UpdatedAt = ts(s.now())
	doc, err := encodePostMortem(&pm)
	if err != nil {
		return PostMortem{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO postmortems (incident_id, state, public, doc, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id) DO NOTHING`, id, pm.State, pm.Public, doc, pm.UpdatedAt)
	if err != nil {
		return PostMortem{}, fmt.Errorf("draft post-mortem of incident %d: %w", id, s.db.MapError(err))
	}
	pm, _, err = s.load(ctx, s.db, id)
	return pm, err
}

// Save writes a post-mortem after checking it. A change of state must be a
// move Transition allows; a published post-mortem can only be shown or
// hidden (see SetPublic).
func (s *PostMortemStore) Save(ctx context.Context, pm PostMortem) error {
	if errs := pm.Validate(); len(errs) > 0 {
		return &InvalidPostMortemError{Fields: errs}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		cur, doc, err := s.load(ctx, tx, pm.IncidentID)
		if errors.Is(err, store.ErrNotFound) {
			// Never drafted: it starts as a draft like any other.
			cur, doc, err = PostMortem{IncidentID: pm.IncidentID, State: PMDraft}, "", nil
		}
		if err != nil {
			return err
		}
		if err := checkChange(&cur, &pm); err != nil {
			return err
		}
		return s.write(ctx, tx, &pm, doc)
	})
}

// checkChange says whether cur may become next.
func checkChange(cur, next *PostMortem) error {
	if cur.State == PMPublished {
		a, b := *cur, *next
		a.Public, b.Public = false, false
		a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
		if !samePostMortem(&a, &b) {
			return fmt.Errorf("post-mortem of incident %d: %w: only making it public or not is allowed",
				cur.IncidentID, ErrPublished)
		}
		return nil
	}
	if next.State == cur.State {
		return nil
	}
	// The move is checked on the new content: publishing what is saved.
	moved := *next
	moved.State = cur.State
	return transitionError(&moved, moved.Transition(next.State))
}

func samePostMortem(a, b *PostMortem) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// transitionError gives a refused publication its problems by field.
func transitionError(pm *PostMortem, err error) error {
	if errors.Is(err, ErrNotReady) {
		return &InvalidPostMortemError{Fields: pm.PublishProblems(), Err: ErrNotReady}
	}
	if err != nil {
		return fmt.Errorf("post-mortem of incident %d: %w", pm.IncidentID, err)
	}
	return nil
}

// Transition moves the post-mortem of an incident to another state (see
// PostMortem.Transition).
func (s *PostMortemStore) Transition(ctx context.Context, id int64, to PMState) error {
	return s.update(ctx, id, func(pm *PostMortem) error { return transitionError(pm, pm.Transition(to)) })
}

// SetPublic shows or hides a published post-mortem on the status page.
func (s *PostMortemStore) SetPublic(ctx context.Context, id int64, public bool) error {
	return s.update(ctx, id, func(pm *PostMortem) error {
		if err := pm.MakePublic(public); err != nil {
			return fmt.Errorf("post-mortem of incident %d: %w", id, err)
		}
		return nil
	})
}

// update changes a stored post-mortem with fn in one transaction.
func (s *PostMortemStore) update(ctx context.Context, id int64, fn func(pm *PostMortem) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		pm, doc, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(&pm); err != nil {
			return err
		}
		return s.write(ctx, tx, &pm, doc)
	})
}

// Pending returns the incidents that need a post-mortem and have no
// published one: resolved ones first, longest resolved first, then open
// ones, oldest first.
func (s *PostMortemStore) Pending(ctx context.Context) ([]Incident, error) {
	list, err := s.incidents.query(ctx, `SELECT `+incidentColumns+` FROM incidents
		WHERE status <> 'merged' AND merged_into IS NULL
		AND (severity IN ('critical', 'major') OR customer_reported_first OR first_customer_contact_at < detected_at)
		AND id NOT IN (SELECT incident_id FROM postmortems WHERE state = 'published')`)
	if err != nil {
		return nil, fmt.Errorf("pending post-mortems: %w", err)
	}
	out := slices.DeleteFunc(list, func(inc Incident) bool { return !Required(&inc) })
	slices.SortStableFunc(out, func(a, b Incident) int {
		switch {
		case a.ResolvedAt != nil && b.ResolvedAt != nil:
			if c := a.ResolvedAt.Compare(*b.ResolvedAt); c != 0 {
				return c
			}
		case a.ResolvedAt != nil:
			return -1
		case b.ResolvedAt != nil:
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// querier is what load needs of a database or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// load reads a stored post-mortem and its document as stored, the
// version a write must still find.
func (s *PostMortemStore) load(ctx context.Context, q querier, id int64) (PostMortem, string, error) {
	var pm PostMortem
	var doc string
	err := q.QueryRowContext(ctx, `SELECT state, public, doc, updated_at FROM postmortems WHERE incident_id = $1`, id).
		Scan(&pm.State, &pm.Public, &doc, &pm.UpdatedAt)
	if err != nil {
		return PostMortem{}, "", fmt.Errorf("post-mortem of incident %d: %w", id, s.db.MapError(err))
	}
	state, public, updated := pm.State, pm.Public, pm.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(doc), &pm); err != nil {
		return PostMortem{}, "", fmt.Errorf("post-mortem of incident %d: %w", id, err)
	}
	// The columns are the truth; the document carries the rest.
	pm.IncidentID, pm.State, pm.Public, pm.UpdatedAt = id, state, public, updated
	if pm.Actions == nil {
		pm.Actions = []ActionItem{}
	}
	return pm, doc, nil
}

// write stores pm if the row still holds prev (empty: no row yet), so that
// of two concurrent writers the second gets ErrConflict instead of
// silently undoing the first.
func (s *PostMortemStore) write(ctx context.Context, tx *sql.Tx, pm *PostMortem, prev string) error {
	pm.UpdatedAt = ts(s.now())
	doc, err := encodePostMortem(pm)
	if err != nil {
		return err
	}
	if prev == "" {
		_, err := tx.ExecContext(ctx, `INSERT INTO postmortems (incident_id, state, public, doc, updated_at)
			VALUES ($1, $2, $3, $4, $5)`, pm.IncidentID, pm.State, pm.Public, doc, pm.UpdatedAt)
		if err != nil {
			return fmt.Errorf("save post-mortem of incident %d: %w", pm.IncidentID, s.db.MapError(err))
		}
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE postmortems SET state = $2, public = $3, doc = $4, updated_at = $5
		WHERE incident_id = $1 AND doc = $6`, pm.IncidentID, pm.State, pm.Public, doc, pm.UpdatedAt, prev)
	if err != nil {
		return fmt.Errorf("save post-mortem of incident %d: %w", pm.IncidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("save post-mortem of incident %d: changed meanwhile: %w", pm.IncidentID, store.ErrConflict)
	}
	return nil
}

func encodePostMortem(pm *PostMortem) (string, error) {
	if pm.Actions == nil {
		pm.Actions = []ActionItem{}
	}
	b, err := json.Marshal(pm)
	if err != nil {
		return "", fmt.Errorf("encode post-mortem of incident %d: %w", pm.IncidentID, err)
	}
	return string(b), nil
}

// Document returns the post-mortem of an incident as one Markdown document
// (see Markdown), drafting it on first access like Get.
func (s *PostMortemStore) Document(ctx context.Context, id int64, zone *time.Location) (string, error) {
	pm, err := s.Get(ctx, id, zone)
	if err != nil {
		return "", err
	}
	inc, err := s.incidents.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return Markdown(&pm, &inc), nil
}
