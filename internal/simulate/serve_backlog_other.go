//go:build !linux

package simulate

import (
	"errors"
	"net"
)

// setBacklog is not supported here: a frozen gate's connections complete
// into the backlog and wait there.
func setBacklog(net.Listener, int) error { return errors.ErrUnsupported }

func defaultBacklog() int { return 0 }
