"""The two registers the quarterly report needs: services commissioned, and risks and opportunities."""
