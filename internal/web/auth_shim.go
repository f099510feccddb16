package web

import (
	"context"

	"github.com/vigie/vigie/internal/auth"
)

func authenticate(ctx context.Context, a *auth.Service, token string) (auth.Principal, error) {
	u, err := a.Authenticate(ctx, token)
	return auth.Principal{User: u, Role: u.Role}, err
}
