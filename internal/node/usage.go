package node

import (
	"context"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// usageScan is the node's usage scanner, running until closeParts.
type usageScan struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startUsage makes the node's quota pools lease their room from the store
// (quota across nodes) and starts the usage scanner.
func (n *Node) startUsage() {
	log := n.log.With("component", "usage")
	n.extra.usages.ShareQuota(n.cfg.NodeID(), n.svc.ClaimQuota, log)
	sc := homefs.NewScanner(n.svc, n.extra.usages, homefs.ScannerConfig{Node: n.cfg.NodeID(),
		Interval: n.cfg.Usage.ScanInterval.Duration, EntriesPerSecond: n.cfg.Usage.ScanRate, Logger: log})
	ctx, cancel := context.WithCancel(context.Background())
	ctx = hosting.WithActor(ctx, hosting.SystemActor(hosting.Via("node"), "usage-scanner"))
	done := make(chan struct{})
	n.extra.scan = usageScan{cancel: cancel, done: done}
	go func() {
		defer close(done)
		sc.Run(ctx)
	}()
}

// stopUsage stops the scanner and waits for it.
func (n *Node) stopUsage() {
	if n.extra.scan.cancel == nil {
		return
	}
	n.extra.scan.cancel()
	<-n.extra.scan.done
	n.extra.scan = usageScan{}
}
