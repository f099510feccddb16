package app

import (
	"fmt"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
)

// openAccounts builds what mails contacts their links and, with a secret,
// what checks the hand-off links of the host's customer panel.
func (a *App) openAccounts(cfg Config) error {
	a.Accounts = &account.Mailer{DB: a.DB, Auth: a.Auth, Inventory: a.Inventory, Notify: a.Notify, Texts: a.Texts,
		PublicURL: cfg.PublicURL, Host: cfg.PublicName}
	if len(cfg.HandOffSecret) == 0 {
		return nil
	}
	h, err := auth.NewHandOffs(a.DB, cfg.HandOffSecret, 0, 0, nil)
	if err != nil {
		return fmt.Errorf("hand-off links: %w", err)
	}
	a.HandOffs = h
	return nil
}
