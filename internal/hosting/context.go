package hosting

import "context"

// ActorKind says what kind of principal acts.
type ActorKind string

// Actor kinds.
const (
	ActorAdmin    ActorKind = "admin"    // a panel administrator or admin token
	ActorCustomer ActorKind = "customer" // a customer (site owner)
	ActorSystem   ActorKind = "system"   // the CLI or the server itself; acts as an admin
)

// Via names the interface a request came through; it is recorded in audit events.
type Via string

// Interfaces.
const (
	ViaCLI    Via = "cli"
	ViaAPI    Via = "api"
	ViaWeb    Via = "web"
	ViaPlesk  Via = "plesk"
	ViaHestia Via = "hestia"
	ViaFTP    Via = "ftp"
)

// Actor is who acts, and through which interface.
type Actor struct {
	Kind       ActorKind
	Login      string // admin or customer login; for system, e.g. "cli"
	CustomerID int64  // for ActorCustomer
	Via        Via
	RemoteAddr string // client address, if any
	TokenID    int64  // API token used, if any
}

// IsAdmin reports whether a may act on every object.
func (a Actor) IsAdmin() bool { return a.Kind == ActorAdmin || a.Kind == ActorSystem }

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx; ok is false when there is none.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// SystemActor returns the actor used by the CLI and the server itself.
func SystemActor(via Via, login string) Actor {
	return Actor{Kind: ActorSystem, Login: login, Via: via}
}
