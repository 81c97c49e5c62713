from . import posting
