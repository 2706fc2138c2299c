// Package rowcount reads "id, count" query results for the SQLite and
// PostgreSQL stores alike (database/sql and pgx rows).
package rowcount

// Rows is what both database/sql's and pgx's result rows offer.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ByID reads rows of (id int64, count int) into a map. The caller closes
// rows.
func ByID(rows Rows) (map[int64]int, error) {
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
