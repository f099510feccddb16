package simulate

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// setBacklog sets the length of a TCP listener's queue of connections
// waiting for Accept: Linux lets listen(2) change it on a listening socket.
// With 0, the queue holds one connection and the handshakes of any more go
// unanswered.
func setBacklog(l net.Listener, n int) error {
	tl, ok := l.(*net.TCPListener)
	if !ok {
		return errors.ErrUnsupported
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return fmt.Errorf("set backlog: %w", err)
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), n) }); err != nil {
		return fmt.Errorf("set backlog: %w", err)
	}
	if lerr != nil {
		return fmt.Errorf("set backlog: %w", os.NewSyscallError("listen", lerr))
	}
	return nil
}

// defaultBacklog is the backlog the net package gives listeners: the
// system's maximum.
var defaultBacklog = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return syscall.SOMAXCONN
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return syscall.SOMAXCONN
	}
	return min(n, 1<<16-1)
})
