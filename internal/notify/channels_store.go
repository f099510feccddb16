package notify

import (
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

// Store keeps the channels and the outbox's messages.
type Store struct {
	db *store.DB
	// Now is the clock of the rows' created_at and updated_at, and of
	// Resend (default time.Now).
	Now func() time.Time
	// Validators check the settings of a channel of their kind before it
	// is saved (a kind without one is checked for the common fields only).
	Validators map[Kind]Validator
	// MaxAttempts is how many tries a message gets before it goes to the
	// dead letters (default DefaultMaxAttempts).
	MaxAttempts int
}

// NewStore returns the store of channels and messages over db.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, Now: time.Now, MaxAttempts: DefaultMaxAttempts}
}

// ValidatorsOf returns the validators among senders: those that check
// their channels' settings.
func ValidatorsOf(senders map[Kind]Sender) map[Kind]Validator {
	out := map[Kind]Validator{}
	for k, s := range senders {
		if v, ok := s.(Validator); ok {
			out[k] = v
		}
	}
	return out
}

// ts is a time as stored: UTC, to the microsecond (PostgreSQL's
// precision), so that what is read back equals what was written.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

const channelColumns = `id, kind, name, audiences, enabled, config, secret, rate_per_minute, created_at, updated_at`

// AddChannel validates and stores a new channel, setting its CreatedAt and
// UpdatedAt. A new channel with the id of another is ErrConflict.
func (s *Store) AddChannel(ctx context.Context, ch *Channel) error {
	if err := s.check(ch); err != nil {
		return err
	}
	audiences, config, err := encodeChannel(ch)
	if err != nil {
		return err
	}
	now := ts(s.Now())
	_, err = s.db.ExecContext(ctx, `INSERT INTO notify_channels (`+channelColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		ch.ID, ch.Kind, ch.Name, audiences, ch.Enabled, config, ch.Secret, ch.RatePerMinute, now)
	if err != nil {
		err = s.db.MapError(err)
		if errors.Is(err, store.ErrConflict) {
			return &store.ConflictError{Message: fmt.Sprintf("a channel %q already exists", ch.ID), Err: err}
		}
		return fmt.Errorf("add channel %s: %w", ch.ID, err)
	}
	ch.CreatedAt, ch.UpdatedAt = now, now
	ch.SecretSet, ch.Secret = ch.Secret != "", ""
	return nil
}

// UpdateChannel validates ch and replaces the stored channel of its ID. An empty
// Secret keeps the stored one; the kind cannot change.
func (s *Store) UpdateChannel(ctx context.Context, ch *Channel) error {
	if ch.Secret == "" {
		// The kind's check needs the secret it keeps.
		cur, err := s.channelWithSecret(ctx, ch.ID)
		if err != nil {
			return err
		}
		ch.Secret = cur.Secret
	}
	if err := s.check(ch); err != nil {
		return err
	}
	audiences, config, err := encodeChannel(ch)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.channel(ctx, tx, `WHERE id = $1`+s.db.Engine.LockRows(), ch.ID)
		if err != nil {
			return err
		}
		if cur.Kind != ch.Kind {
			return invalid(FieldError{"kind", fmt.Sprintf("a channel's kind cannot change (it is %s): remove the channel and add another", cur.Kind)})
		}
		secret := ch.Secret
		if secret == "" {
			secret = cur.Secret
		}
		now := ts(s.Now())
		_, err = tx.ExecContext(ctx, `UPDATE notify_channels SET name = $2, audiences = $3, enabled = $4, config = $5,
			secret = $6, rate_per_minute = $7, updated_at = $8 WHERE id = $1`,
			ch.ID, ch.Name, audiences, ch.Enabled, config, secret, ch.RatePerMinute, now)
		if err != nil {
			return fmt.Errorf("update channel %s: %w", ch.ID, err)
		}
		ch.CreatedAt, ch.UpdatedAt = cur.CreatedAt, now
		ch.SecretSet, ch.Secret = secret != "", ""
		return nil
	})
}

// DeleteChannel removes a channel. Its messages not yet sent go to the dead
// letters when a worker next meets them ("channel deleted").
func (s *Store) DeleteChannel(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM notify_channels WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete channel %s: %w", id, s.db.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.NotFound("channel", id)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM notify_threads WHERE channel_id = $1`, id); err != nil {
		return fmt.Errorf("delete threads of channel %s: %w", id, s.db.MapError(err))
	}
	return nil
}

// Channel returns one channel, without its secret (SecretSet says whether
// it has one).
func (s *Store) Channel(ctx context.Context, id string) (Channel, error) {
	ch, err := s.channelWithSecret(ctx, id)
	ch.Secret = ""
	return ch, err
}

// Channels returns every channel by id, without their secrets.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	list, err := s.channels(ctx, s.db, `ORDER BY id`)
	for i := range list {
		list[i].Secret = ""
	}
	return list, err
}

// channelWithSecret returns one channel with its secret: for the
// senders, never for showing.
func (s *Store) channelWithSecret(ctx context.Context, id string) (Channel, error) {
	return s.channel(ctx, s.db, `WHERE id = $1`, id)
}

func (s *Store) channel(ctx context.Context, q store.Querier, where string, args ...any) (Channel, error) {
	list, err := s.channels(ctx, q, where, args...)
	if err != nil {
		return Channel{}, err
	}
	if len(list) == 0 {
		return Channel{}, store.NotFound("channel", args[0])
	}
	return list[0], nil
}

// channels reads channels, secrets included.
func (s *Store) channels(ctx context.Context, q store.Querier, where string, args ...any) ([]Channel, error) {
	var out []Channel
	err := store.Each(ctx, q, "read channels", `SELECT `+channelColumns+` FROM notify_channels `+where, args,
		func(rows *sql.Rows) error {
			var ch Channel
			var audiences, config string
			if err := rows.Scan(&ch.ID, &ch.Kind, &ch.Name, &audiences, &ch.Enabled, &config, &ch.Secret,
				&ch.RatePerMinute, &ch.CreatedAt, &ch.UpdatedAt); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(audiences), &ch.Audiences); err != nil {
				return fmt.Errorf("channel %s audiences: %w", ch.ID, err)
			}
			if err := json.Unmarshal([]byte(config), &ch.Config); err != nil {
				return fmt.Errorf("channel %s config: %w", ch.ID, err)
			}
			ch.SecretSet = ch.Secret != ""
			ch.CreatedAt, ch.UpdatedAt = ch.CreatedAt.UTC(), ch.UpdatedAt.UTC()
			out = append(out, ch)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

func encodeChannel(ch *Channel) (audiences, config string, err error) {
	if ch.Config == nil {
		ch.Config = map[string]string{}
	}
	a, err := json.Marshal(ch.Audiences)
	if err != nil {
		return "", "", fmt.Errorf("encode channel %s: %w", ch.ID, err)
	}
	c, err := json.Marshal(ch.Config)
	if err != nil {
		return "", "", fmt.Errorf("encode channel %s: %w", ch.ID, err)
	}
	return string(a), string(c), nil
}

// check validates ch: its common fields, then its kind's settings.
func (s *Store) check(ch *Channel) error {
	fields := ch.validate()
	if len(fields) == 0 && s.Validators[ch.Kind] != nil {
		if err := s.Validators[ch.Kind].Validate(ch); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				return inv
			}
			fields = append(fields, settingOf(err.Error()))
		}
	}
	if len(fields) > 0 {
		return invalid(fields...)
	}
	slices.Sort(ch.Audiences)
	return nil
}

// settingOf names the field a kind's check complains about, from its
// message ("secret: required", "instance: …"): the secret, a setting, or
// the settings as a whole.
func settingOf(msg string) FieldError {
	name, rest, ok := strings.Cut(msg, ":")
	switch {
	case !ok || strings.ContainsAny(name, " \t"):
		return FieldError{"config", msg}
	case name == "secret":
		return FieldError{"secret", strings.TrimSpace(rest)}
	}
	return FieldError{"config." + name, strings.TrimSpace(rest)}
}
