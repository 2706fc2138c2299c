package node

import (
	"context"
	"errors"

	"ftpanel/internal/hosting"
)

func openPostgres(ctx context.Context, dsn string) (hosting.Store, error) {
	return nil, errors.New("node: the PostgreSQL store is not available in this build")
}
