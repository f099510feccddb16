package notify

import (
	"testing"

	"github.com/vigie/vigie/internal/notify/notifytest"
)

// The test SMTP server lives in notifytest, for the tests of the whole
// server and the benchmark too; these names keep this package's tests
// short.
type (
	smtpOptions = notifytest.SMTPOptions
	parsedMail  = notifytest.ParsedMail
)

type smtpServer struct{ *notifytest.SMTP }

func startSMTP(t testing.TB, opts smtpOptions) *smtpServer {
	return &smtpServer{notifytest.StartSMTP(t, opts)}
}

func parseMail(t testing.TB, data []byte) *parsedMail { return notifytest.ParseMail(t, data) }

// Channel is an e-mail channel pointing at the server.
func (s *smtpServer) Channel(id string) *Channel {
	ch := &Channel{ID: id, Kind: KindEmail, Name: id, Enabled: true, Config: s.Config()}
	if p := s.Password(); p != "" {
		ch.Secret, ch.SecretSet = p, true
	}
	return ch
}
