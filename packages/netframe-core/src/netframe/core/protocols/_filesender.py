"""
L{FileSender}: a pull producer streaming a file to a consumer.

Implementation module; the public name is
C{netframe.core.protocols.basic.FileSender}.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, Optional, Union

from zope.interface import implementer

from netframe.core.defer import Deferred
from netframe.core.interfaces import IConsumer, IProducer, IPullProducer, ITransport

__all__ = ["FileSender"]


@implementer(IProducer, IPullProducer)
class FileSender:
    """
    Sends the contents of a file to a consumer, one chunk per request.

    L{beginFileTransfer} registers this object with the consumer (usually a
    transport) as a pull producer: each C{resumeProducing} call from the
    consumer reads at most L{CHUNK_SIZE} bytes, passes them through the
    optional transform and writes them. Nothing is read until the consumer
    asks, so a consumer that stops asking (a peer that never reads) holds at
    most one chunk in flight.

    @cvar CHUNK_SIZE: The most bytes read from the file per request.
    @ivar lastSent: The last byte written (C{b""} before any).
    @ivar deferred: The Deferred of the transfer in progress, or C{None}.
    @ivar file: The file being read, or C{None} once finished or stopped.
    @ivar consumer: The consumer written to.
    @ivar transform: Applied to each chunk before it is written, or C{None}.
    """

    CHUNK_SIZE: int = 2**14

    lastSent: bytes = b""
    deferred: Optional[Deferred[bytes]] = None
    file: Optional[Union[IO[bytes], io.RawIOBase]] = None
    consumer: Any = None
    transform: Optional[Callable[[bytes], bytes]] = None

    def beginFileTransfer(
        self,
        file: Union[IO[bytes], io.RawIOBase],
        consumer: Union[IConsumer, ITransport],
        transform: Optional[Callable[[bytes], bytes]] = None,
    ) -> Deferred[bytes]:
        """
        Start sending C{file} to C{consumer}.

        @param file: A binary file-like object (a C{BinaryIO} or a
            C{io.RawIOBase}); read with C{read(n)} from its current position to
            end of file. It is not closed.
        @param consumer: The consumer to write to, usually a protocol's
            transport (connection transports provide L{IConsumer}); this
            sender registers itself with it as a pull producer
            (C{streaming=False}).
        @param transform: Called with each chunk read; its result (bytes) is
            written instead.
        @return: A Deferred firing with the last byte written (C{b""} for an
            empty file) once the whole file was written and this sender
            unregistered, or failing if the consumer stops the transfer.
        @raise RuntimeError: If a transfer is already in progress.
        """
        if self.deferred is not None:
            raise RuntimeError(f"{self!r} is already sending {self.file!r}")
        self.file = file
        self.consumer = consumer
        self.transform = transform
        self.lastSent = b""
        deferred: Deferred[bytes] = Deferred()
        self.deferred = deferred
        self.consumer.registerProducer(self, False)
        return deferred

    def resumeProducing(self) -> None:
        """
        Read one chunk, transform it and write it to the consumer.

        At end of file, unregister from the consumer and fire the Deferred
        with the last byte written. Does nothing once finished or stopped.

        If reading the file or the transform raises, or the transform returns
        something that is not bytes (a C{TypeError}), the transfer is
        abandoned: this sender unregisters and the Deferred fails with that
        exception (nothing is raised to the consumer).
        """
        file = self.file
        if file is None:
            return
        try:
            chunk = file.read(self.CHUNK_SIZE)
        except Exception as e:
            self._abandon(e)
            return
        if not chunk:
            self.file = None
            self.consumer.unregisterProducer()
            deferred, self.deferred = self.deferred, None
            if deferred is not None:
                deferred.callback(self.lastSent)
            return
        transform = self.transform
        if transform is not None:
            try:
                result: object = transform(chunk)
            except Exception as e:
                self._abandon(e)
                return
            if not isinstance(result, bytes):
                self._abandon(
                    TypeError(
                        f"FileSender transform must return bytes, not {type(result).__name__}"
                    )
                )
                return
            chunk = result
        self.consumer.write(chunk)
        if chunk:
            self.lastSent = chunk[-1:]

    def _abandon(self, reason: Exception) -> None:
        """
        Stop the transfer after an error: unregister and fail the Deferred.

        @param reason: The error the Deferred fails with.
        """
        self.file = None
        try:
            self.consumer.unregisterProducer()
        finally:
            deferred, self.deferred = self.deferred, None
            if deferred is not None:
                deferred.errback(reason)

    def pauseProducing(self) -> None:
        """
        Nothing to do: a pull producer only produces when asked.
        """

    def stopProducing(self) -> None:
        """
        The consumer gave up (e.g. the connection was lost): stop reading and
        fail the Deferred with an C{Exception} saying so.
        """
        self.file = None
        deferred, self.deferred = self.deferred, None
        if deferred is not None:
            deferred.errback(Exception("Consumer asked us to stop producing"))
