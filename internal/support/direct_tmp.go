package support

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigie/vigie/internal/notify"
)

// Direct is TEMPORARY until notify.Direct lands with the web foundation.
type Direct struct {
	Key           string
	Subject, Body notify.Text
	Link          string
	LinkLabel     notify.Text
	Thread        string
}

var errNoMailChannel = errors.New("no mail channel")

// Mailer queues a mail that is not about an incident, in the caller's
// transaction: notify.Store's EnqueueDirect.
type Mailer interface {
	EnqueueDirect(ctx context.Context, tx *sql.Tx, audience notify.Audience, to notify.Recipient, d Direct) (int64, error)
}
