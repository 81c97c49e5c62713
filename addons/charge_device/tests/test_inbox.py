"""The listener's inbox (tools/inbox.py): batches of what has arrived, and
the read gate that keeps it within its window. No broker, no database."""
import threading

from odoo.tests import BaseCase, tagged

from ..tools.inbox import Inbox


@tagged("at_install", "-post_install")
class TestInbox(BaseCase):

    def test_a_batch_is_what_has_arrived_up_to_the_limit(self):
        inbox = Inbox(window=10)
        for n in range(5):
            inbox.put(n)
        self.assertEqual(inbox.take(3, timeout=0), [0, 1, 2])
        self.assertEqual(inbox.take(10, timeout=0), [3, 4])
        self.assertEqual(inbox.take(10, timeout=0), [])

    def test_a_batch_waits_to_fill_while_another_thread_puts(self):
        inbox = Inbox(window=10)
        inbox.put("first")
        feeder = threading.Thread(target=lambda: [inbox.put(n) for n in range(3)])
        feeder.start()
        # a long fill: the batch is handed over as soon as it is full, not at the end of the wait
        batch = inbox.take(4, timeout=0, fill=30)
        feeder.join(5)
        self.assertEqual(batch, ["first", 0, 1, 2])

    def test_a_listener_behind_does_not_wait_for_a_full_batch(self):
        inbox = Inbox(window=100)
        for n in range(30):
            inbox.put(n)
        taken = threading.Event()

        def late_frames():  # only if the taker is still waiting for a full batch
            if not taken.wait(5):
                for n in range(30, 50):
                    inbox.put(n)
        feeder = threading.Thread(target=late_frames)
        feeder.start()
        # enough waiting: taken at once, though fewer than the limit and with a long fill
        batch = inbox.take(50, timeout=0, fill=60, enough=25)
        taken.set()
        feeder.join(10)
        self.assertEqual(batch, list(range(30)))

    def test_a_waiting_taker_gets_the_first_item_put(self):
        inbox = Inbox(window=10)
        taken = []
        taker = threading.Thread(target=lambda: taken.extend(inbox.take(5, timeout=30)))
        taker.start()
        inbox.put("a")
        taker.join(30)
        self.assertFalse(taker.is_alive())
        self.assertEqual(taken, ["a"])

    def test_putting_never_blocks_and_the_gate_closes_at_the_window(self):
        inbox = Inbox(window=3)
        putter = threading.Thread(target=lambda: [inbox.put(n) for n in range(5)])
        putter.start()
        putter.join(5)
        self.assertFalse(putter.is_alive(), "put blocked the network thread")
        self.assertEqual(len(inbox), 5)
        self.assertFalse(inbox.is_open())
        self.assertFalse(inbox.wait_open(0))
        self.assertEqual(inbox.take(2, timeout=0), [0, 1])
        self.assertFalse(inbox.is_open())  # 3 waiting: still its window
        self.assertEqual(inbox.take(1, timeout=0), [2])
        self.assertTrue(inbox.is_open())

    def test_a_reader_waiting_for_room_is_woken_by_a_take(self):
        inbox = Inbox(window=2)
        inbox.put(1)
        inbox.put(2)
        opened = []
        reader = threading.Thread(target=lambda: opened.append(inbox.wait_open(30)))
        reader.start()
        inbox.take(1, timeout=0)
        reader.join(30)
        self.assertEqual(opened, [True])

    def test_clear(self):
        inbox = Inbox(window=2)
        inbox.put(1)
        inbox.put(2)
        self.assertEqual(inbox.clear(), 2)
        self.assertEqual(len(inbox), 0)
        self.assertTrue(inbox.is_open())
