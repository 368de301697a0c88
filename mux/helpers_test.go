package mux

import (
	"io"
	"log/slog"
)

func nil2log() *slog.Logger { return slog.New(slog.DiscardHandler) }

func io_ReadAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }
