"""pytest plugin loaded for every mutant run: gives mutated code the name cosmic-ray writes into it.

cosmic-ray's exception-handler operator rewrites ``except ValueError:`` as
``except CosmicRayTestingException:`` but does not define that name in the mutated module. Without
this plugin the first exception that reaches such a handler raises ``NameError`` instead, and any test
that sees an error counts the mutant as killed, even one that would pass with the handler simply gone.
With the name defined the handler matches nothing, which is the mutation the operator means.
"""
from __future__ import annotations

import builtins

from cosmic_ray.exceptions import CosmicRayTestingException

setattr(builtins, CosmicRayTestingException.__name__, CosmicRayTestingException)
