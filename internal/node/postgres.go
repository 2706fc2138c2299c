package node

import (
	"context"
	"fmt"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/postgres"
)

// openPostgres opens the PostgreSQL store at dsn (store.dsn =
// postgres://...), applying its migrations; several nodes share it.
func openPostgres(ctx context.Context, dsn string) (hosting.Store, error) {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("node: open store: %w", err)
	}
	return db, nil
}
