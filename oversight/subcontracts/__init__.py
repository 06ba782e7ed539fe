"""Re-subcontracting (再委託・再々委託): the chain of subcontractors under a contract and the principal's consents."""
